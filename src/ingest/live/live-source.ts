import type { RawMessage } from '../../model/message.js';
import { BugError, ConfigError } from '../../model/errors.js';
import { CursorNotFoundError } from '../sources/errors.js';
import { Backoff, systemClock, type BackoffOptions, type LiveClock } from './backoff.js';

/**
 * Called with each batch of new messages and the cursor that covers them. The CALLER persists the
 * cursor after this resolves: a crash between receiving and storing re-delivers (the store drops
 * duplicates by Message-ID), it never loses. The batch is empty when only the cursor moved (a
 * listed message was gone by the time it was fetched). A rejection is treated like a lost connection: the
 * source backs off and delivers again from the last cursor it handed out successfully.
 */
export type OnMessages = (batch: RawMessage[], cursor: string) => Promise<void>;

/** A source of mail that keeps running: lore over HTTP, NNTP, IMAP, a public-inbox git mirror. */
export interface LiveSource {
  name: string;
  /** Begins the source's loop in the background; rejects only for a configuration it can see is unusable. */
  start(onMessages: OnMessages): Promise<void>;
  /** Ends the loop and closes connections; resolves when nothing of the source runs any more. */
  stop(): Promise<void>;
}

export type LiveEventKind =
  | 'connected' // a session began (connection up, mailbox/group/feed reachable)
  | 'delivered' // onMessages resolved for a batch
  | 'retry' // a transient failure; the next attempt comes after delayMs
  | 'gap' // messages the source could not get (expired articles, a feed without search)
  | 'heal' // the cursor did not match the server and was moved to a safe point
  | 'reset' // the cursor belongs to another mailbox generation (UIDVALIDITY) and starts again
  | 'catch-up' // after downtime, missed messages were fetched another way (lore search)
  | 'skipped' // one message could not be fetched (deleted since it was listed)
  | 'fatal' // a permanent error: the source stopped
  | 'stopped';

/** What a live source tells its operator. Plain data; the daemon logs it (pino) or counts it. */
export interface LiveEvent {
  source: string;
  kind: LiveEventKind;
  message: string;
  attempt?: number;
  delayMs?: number;
  error?: string;
  count?: number;
  cursor?: string | null;
}

/** Options every live source takes. */
export interface LiveSourceCommon {
  /** Where to continue: a cursor this source handed to onMessages before, or null to start fresh. */
  cursor: string | null;
  log?: (event: LiveEvent) => void;
  backoff?: Partial<BackoffOptions>;
  clock?: Partial<LiveClock>;
}

/** What a session (one connection's life) gets from the loop around it. */
export interface SessionContext {
  signal: AbortSignal;
  /** The committed cursor: what the last successful onMessages covered (or the constructor's). */
  cursor(): string | null;
  /** Hand a batch out; resolves after onMessages resolved and the cursor moved. An empty batch is handed out only when the cursor moves. */
  deliver(batch: RawMessage[], cursor: string): Promise<void>;
  /** The session reached the server and did useful work: the backoff starts over. */
  ok(): void;
  log(kind: LiveEventKind, message: string, extra?: Omit<LiveEvent, 'source' | 'kind' | 'message'>): void;
  clock: LiveClock;
}

/** Whether an error means "stop, a human must change something" rather than "try again later". */
export function isPermanent(err: unknown): boolean {
  return err instanceof ConfigError || err instanceof CursorNotFoundError || err instanceof BugError;
}

function errText(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    return cause instanceof Error && !err.message.includes(cause.message) ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}

/**
 * The loop shared by all live sources: run a session; on a transient error log it, back off
 * (bounded exponential with jitter) and run a new session from the committed cursor, forever;
 * on a permanent error (isPermanent) log `fatal` and stop, `done()` rejecting with that error.
 */
export abstract class BaseLiveSource implements LiveSource {
  abstract readonly name: string;
  protected readonly clock: LiveClock;
  protected readonly backoff: Backoff;
  private committed: string | null;
  private ctl: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private failure: unknown = null;
  private readonly logFn: ((e: LiveEvent) => void) | undefined;

  constructor(opts: LiveSourceCommon) {
    this.committed = opts.cursor;
    this.clock = { ...systemClock, ...opts.clock };
    this.backoff = new Backoff(opts.backoff, this.clock.random);
    this.logFn = opts.log;
  }

  /** One connection's life: returns when `signal` aborts, throws when it breaks. */
  protected abstract session(ctx: SessionContext): Promise<void>;

  /** Checks that can fail before anything runs (a named config error). */
  protected validate(): Promise<void> | void {}

  /** Called by stop(): close sockets and wake the session so it returns quickly. */
  protected interrupt(): Promise<void> | void {}

  /** The last cursor a successful onMessages covered (what the caller should have stored). */
  cursor(): string | null {
    return this.committed;
  }

  get running(): boolean {
    return this.loop !== null;
  }

  protected emit(kind: LiveEventKind, message: string, extra: Omit<LiveEvent, 'source' | 'kind' | 'message'> = {}): void {
    try {
      this.logFn?.({ source: this.name, kind, message, ...extra });
    } catch {
      // a broken logger must not break the source
    }
  }

  async start(onMessages: OnMessages): Promise<void> {
    if (this.loop) throw new BugError(`${this.name}: start() called twice`);
    await this.validate();
    this.failure = null;
    const ctl = new AbortController();
    this.ctl = ctl;
    this.loop = this.run(onMessages, ctl.signal);
  }

  /** Resolves when the loop ended after stop(); rejects with the permanent error that ended it. */
  async done(): Promise<void> {
    await this.loop;
    if (this.failure) throw this.failure;
  }

  async stop(): Promise<void> {
    if (!this.ctl) return;
    this.ctl.abort();
    try {
      await this.interrupt();
    } catch {
      // closing what is already broken
    }
    await this.loop;
    this.ctl = null;
    this.loop = null;
  }

  private async run(onMessages: OnMessages, signal: AbortSignal): Promise<void> {
    const ctx: SessionContext = {
      signal,
      clock: this.clock,
      cursor: () => this.committed,
      deliver: async (batch, cursor) => {
        if (signal.aborted) throw new SessionStopped();
        if (batch.length === 0 && cursor === this.committed) return;
        await onMessages(batch, cursor);
        this.committed = cursor;
        this.emit('delivered', `${batch.length} message(s)`, { count: batch.length, cursor });
      },
      ok: () => this.backoff.reset(),
      log: (kind, message, extra) => this.emit(kind, message, extra),
    };
    while (!signal.aborted) {
      try {
        await this.session(ctx);
      } catch (err) {
        if (signal.aborted || err instanceof SessionStopped) break;
        if (isPermanent(err)) {
          this.failure = err;
          this.emit('fatal', errText(err), { error: (err as Error).name });
          break;
        }
        const retryAfter = (err as { retryAfterMs?: number | null }).retryAfterMs ?? 0;
        const delayMs = this.backoff.next(retryAfter);
        this.emit('retry', errText(err), { attempt: this.backoff.failures, delayMs, error: (err as Error)?.name ?? 'Error' });
        await this.clock.sleep(delayMs, signal);
      }
    }
    try {
      await this.interrupt();
    } catch {
      // already closed
    }
    this.emit('stopped', this.failure ? 'stopped after a permanent error' : 'stopped', { cursor: this.committed });
  }
}

/** Thrown inside a session when stop() was called during delivery. */
export class SessionStopped extends Error {
  constructor() {
    super('stopped');
    this.name = 'SessionStopped';
  }
}

/** A wake-up signal: notify() from an event handler, wait() in the loop (with a timeout and abort). */
export class Notifier {
  private pending = false;
  private waiter: (() => void) | null = null;

  notify(): void {
    this.pending = true;
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** Resolves true when notified (now or earlier, since the last wait), false on timeout or abort. */
  async wait(ms: number, signal: AbortSignal, clock: LiveClock): Promise<boolean> {
    if (this.pending) {
      this.pending = false;
      return true;
    }
    const inner = new AbortController();
    const onAbort = (): void => inner.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const woke = new Promise<boolean>((resolve) => {
      this.waiter = () => {
        inner.abort();
        resolve(true);
      };
    });
    const timedOut = clock.sleep(ms, inner.signal).then(() => false);
    const r = await Promise.race([woke, timedOut]);
    signal.removeEventListener('abort', onAbort);
    this.waiter = null;
    if (r) this.pending = false;
    return r;
  }
}
