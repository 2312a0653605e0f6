import { ConfigError, ConnectionLostError } from '../../model/errors.js';

/**
 * A live source that cannot work as configured (wrong URL, no such inbox / group / mailbox,
 * credentials refused, no git remote). Retrying does not help: the source stops and says what to fix.
 */
export class LiveSourceConfigError extends ConfigError {}

/** A server answered with an HTTP status that is worth retrying (429, 5xx), with its Retry-After. */
export class HttpStatusError extends ConnectionLostError {
  constructor(message: string, source: string, readonly status: number, readonly retryAfterMs: number | null) {
    super(message, source);
  }
}

/** Parse a Retry-After header (seconds or an HTTP date) into milliseconds from `now`; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : Math.max(0, t - now);
}
