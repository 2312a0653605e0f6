import { ImapFlow } from 'imapflow';
import type { RawMessage } from '../../model/message.js';
import { ConnectionLostError } from '../../model/errors.js';
import { LiveSourceConfigError } from './errors.js';
import { BaseLiveSource, Notifier, type LiveSourceCommon, type SessionContext } from './live-source.js';

export interface ImapSourceOptions extends LiveSourceCommon {
  host: string;
  /** Default 993 with `secure`, else 143. */
  port?: number;
  /** Implicit TLS (imaps). Default false. */
  secure?: boolean;
  /** Insist on STARTTLS before sending the password when not `secure`. Default false (loopback tests). */
  requireTls?: boolean;
  /** Extra TLS options (servername, ca, rejectUnauthorized ...). */
  tls?: Record<string, unknown>;
  user: string;
  password: string;
  /** Default INBOX. */
  mailbox?: string;
  /** Milliseconds of quiet before imapflow enters IDLE (its default is 15 s). Default 500. */
  autoIdleDelayMs?: number;
  /** Look for new mail at least this often even when IDLE says nothing (ms). Default 60000. */
  pollIntervalMs?: number;
  /** Messages per onMessages call. Default 50. */
  batchSize?: number;
  /** Connection / greeting / socket timeouts (ms). Default 30000. */
  timeoutMs?: number;
}

/** The IMAP cursor: the mailbox's UIDVALIDITY and the last UID handed out. */
export interface ImapCursor {
  uidValidity: string;
  uid: number;
}

export function formatImapCursor(c: ImapCursor): string {
  return `${c.uidValidity}:${c.uid}`;
}

export function parseImapCursor(s: string): ImapCursor {
  const m = /^(\d+):(\d+)$/.exec(s.trim());
  if (!m) throw new LiveSourceConfigError(`IMAP cursor ${JSON.stringify(s)} is not "<uidvalidity>:<uid>"; give a cursor this source handed out, or none`);
  return { uidValidity: m[1]!, uid: Number(m[2]) };
}

/**
 * A mailbox over IMAP (imapflow). New mail is noticed through IDLE (imapflow's auto-IDLE, with a
 * short delay) and, as a safety net, every `pollIntervalMs`. The cursor is "<UIDVALIDITY>:<UID>":
 * messages with a higher UID are fetched (their full source) in UID order and handed out in
 * batches. A different UIDVALIDITY (the mailbox was recreated, UIDs mean other messages now) resets
 * the cursor to the start of the mailbox with a `reset` event: every message comes again (the store
 * drops duplicates), none is skipped. A closed connection or an error reconnects with backoff;
 * refused credentials or a missing mailbox are a LiveSourceConfigError.
 */
export class ImapSource extends BaseLiveSource {
  readonly name: string;
  private readonly opts: ImapSourceOptions;
  private client: ImapFlow | null = null;
  private readonly wake = new Notifier();

  constructor(opts: ImapSourceOptions) {
    super(opts);
    this.opts = opts;
    this.name = `imap://${opts.user}@${opts.host}:${this.port}/${opts.mailbox ?? 'INBOX'}`;
  }

  private get port(): number {
    return this.opts.port ?? (this.opts.secure ? 993 : 143);
  }

  protected override validate(): void {
    if (this.opts.cursor !== null) parseImapCursor(this.opts.cursor);
  }

  protected override async interrupt(): Promise<void> {
    const c = this.client;
    this.client = null;
    this.wake.notify();
    if (c) {
      try {
        c.close();
      } catch {
        // already closed
      }
    }
  }

  protected async session(ctx: SessionContext): Promise<void> {
    const t = this.opts.timeoutMs ?? 30_000;
    const client = new ImapFlow({
      host: this.opts.host,
      port: this.port,
      secure: this.opts.secure ?? false,
      doSTARTTLS: this.opts.requireTls ? true : undefined,
      tls: this.opts.tls,
      auth: { user: this.opts.user, pass: this.opts.password },
      logger: false,
      autoIdleDelay: this.opts.autoIdleDelayMs ?? 500,
      connectionTimeout: t,
      greetingTimeout: t,
      socketTimeout: Math.max(t, 5 * 60_000),
    });
    this.client = client;
    let closed = false;
    let lastError: Error | null = null;
    client.on('error', (e: Error) => {
      lastError = e;
    });
    client.on('close', () => {
      closed = true;
      this.wake.notify();
    });
    client.on('exists', () => this.wake.notify());
    const where = this.name;
    try {
      try {
        await client.connect();
      } catch (err) {
        if ((err as { authenticationFailed?: boolean }).authenticationFailed) {
          throw new LiveSourceConfigError(`${where}: the server refused the user name or password`, where);
        }
        throw new ConnectionLostError(`${where}: cannot connect (${(err as Error).message})`, where);
      }
      const mailbox = this.opts.mailbox ?? 'INBOX';
      let mb;
      try {
        mb = await client.mailboxOpen(mailbox, { readOnly: true });
      } catch (err) {
        const e = err as { responseStatus?: string; responseText?: string; message: string };
        if (e.responseStatus === 'NO') throw new LiveSourceConfigError(`${where}: cannot open mailbox ${mailbox}: ${e.responseText ?? e.message}`, where);
        throw new ConnectionLostError(`${where}: cannot open mailbox ${mailbox} (${e.message})`, where);
      }
      const uidValidity = String(mb.uidValidity);
      ctx.log('connected', `${mailbox}: UIDVALIDITY ${uidValidity}, ${mb.exists} message(s), UIDNEXT ${mb.uidNext}`);
      let last = 0;
      const committed = ctx.cursor();
      if (committed !== null) {
        const c = parseImapCursor(committed);
        if (c.uidValidity === uidValidity) last = c.uid;
        else ctx.log('reset', `${where}: UIDVALIDITY changed from ${c.uidValidity} to ${uidValidity}: the UIDs name other messages now; reading the mailbox from the start (the store drops duplicates)`, { cursor: committed });
      }
      while (!ctx.signal.aborted) {
        if (closed) throw new ConnectionLostError(`${where}: connection closed${lastError ? ` (${(lastError as Error).message})` : ''}`, where);
        const now = client.mailbox && typeof client.mailbox === 'object' ? String(client.mailbox.uidValidity) : uidValidity;
        if (now !== uidValidity) throw new ConnectionLostError(`${where}: UIDVALIDITY changed during the session`, where);
        last = await this.fetchAfter(ctx, client, uidValidity, last);
        ctx.ok();
        await this.wake.wait(this.opts.pollIntervalMs ?? 60_000, ctx.signal, ctx.clock);
      }
    } finally {
      if (this.client === client) this.client = null;
      try {
        client.close();
      } catch {
        // already closed
      }
    }
  }

  /** Fetch every message with a UID above `last` in batches; returns the new last UID. */
  private async fetchAfter(ctx: SessionContext, client: ImapFlow, uidValidity: string, last: number): Promise<number> {
    const found = await client.search({ uid: `${last + 1}:*` }, { uid: true });
    // "n:*" also matches the highest UID when it is below n: keep only what is really new
    const uids = (Array.isArray(found) ? found : []).filter((u) => u > last).sort((a, b) => a - b);
    const size = this.opts.batchSize ?? 50;
    for (let i = 0; i < uids.length && !ctx.signal.aborted; i += size) {
      const chunk = uids.slice(i, i + size);
      const got = new Map<number, Buffer>();
      for await (const msg of client.fetch(chunk.join(','), { uid: true, source: true }, { uid: true })) {
        if (msg.source) got.set(msg.uid, msg.source);
      }
      const batch: RawMessage[] = [];
      for (const u of chunk) {
        const src = got.get(u);
        if (src) batch.push({ source: `${this.name};UIDVALIDITY=${uidValidity}/;UID=${u}`, bytes: src });
        else ctx.log('skipped', `${this.name}: UID ${u} was expunged before it was fetched`);
      }
      const top = chunk[chunk.length - 1]!;
      await ctx.deliver(batch, formatImapCursor({ uidValidity, uid: top }));
      last = top;
    }
    if (uids.length === 0 && ctx.cursor() !== formatImapCursor({ uidValidity, uid: last }) && last === 0) {
      // a reset on an empty mailbox: store the new UIDVALIDITY
      await ctx.deliver([], formatImapCursor({ uidValidity, uid: 0 }));
    }
    return last;
  }
}
