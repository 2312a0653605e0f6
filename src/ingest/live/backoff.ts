/** Bounded exponential backoff with jitter, and the clock it sleeps on (injectable for tests). */

export interface BackoffOptions {
  /** First delay (ms). Default 1000. */
  initialMs: number;
  /** Upper bound of any delay (ms). Default 300000 (5 min). */
  maxMs: number;
  /** Growth per failed attempt. Default 2. */
  factor: number;
  /** Fraction of the delay that is random: 0.2 gives delay × [0.8, 1.2], then capped at maxMs. Default 0.2. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 300_000, factor: 2, jitter: 0.2 };

/** Time as the live sources see it. Tests give a fake one to run retries without waiting. */
export interface LiveClock {
  now(): number;
  /** Wait `ms`; resolves early (never rejects) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A number in [0, 1) for jitter. */
  random(): number;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, Math.max(0, ms));
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export const systemClock: LiveClock = { now: () => Date.now(), sleep, random: () => Math.random() };

/** Delays for consecutive failures: initial × factor^n, jittered, never above maxMs. reset() after a success. */
export class Backoff {
  readonly opts: BackoffOptions;
  private attempt = 0;

  constructor(opts: Partial<BackoffOptions> = {}, private readonly random: () => number = Math.random) {
    this.opts = { ...DEFAULT_BACKOFF, ...opts };
    if (!(this.opts.initialMs >= 0 && this.opts.maxMs >= this.opts.initialMs && this.opts.factor >= 1 && this.opts.jitter >= 0 && this.opts.jitter <= 1)) {
      throw new RangeError(`backoff options out of range: ${JSON.stringify(this.opts)}`);
    }
  }

  /** Failed attempts since the last reset. */
  get failures(): number {
    return this.attempt;
  }

  /** The delay before the next attempt; `atLeast` (a server's Retry-After) raises it, still capped at maxMs. */
  next(atLeast = 0): number {
    const { initialMs, maxMs, factor, jitter } = this.opts;
    const base = Math.min(maxMs, initialMs * factor ** Math.min(this.attempt, 64));
    this.attempt += 1;
    const jittered = base * (1 - jitter + 2 * jitter * this.random());
    return Math.round(Math.min(maxMs, Math.max(jittered, atLeast)));
  }

  reset(): void {
    this.attempt = 0;
  }
}
