/**
 * What the reply path (queueReplies, withoutSaid, deliverPending) and the daemon need of an
 * outbox, implemented by the SQLite Outbox (synchronous: its results are plain values) and the
 * PostgreSQL PgOutbox (asynchronous: promises). Both keep the same table and the same state
 * machine: pending -> sending -> sent | pending (transient failure) | failed.
 */
import type { NewOutboxEntry, OutboxChannel, OutboxEntry, OutboxState } from './outbox.js';

export type MaybePromise<T> = T | Promise<T>;

export interface ReplyOutbox {
  /** Record a message; a second enqueue of the same Message-ID changes nothing. */
  enqueue(e: NewOutboxEntry): MaybePromise<{ inserted: boolean }>;
  get(messageId: string): MaybePromise<OutboxEntry | null>;
  /** Rows due now: pending ones past their delay, and 'sending' ones left by a crash. Oldest first. */
  due(channel: OutboxChannel): MaybePromise<OutboxEntry[]>;
  /**
   * Claim a row before its bytes go out: a compare-and-set on the state and attempts the caller
   * read, committed; false when another deliverer claimed it first.
   */
  markSending(seen: Pick<OutboxEntry, 'messageId' | 'state' | 'attempts'>): MaybePromise<boolean>;
  /** Committed only after the server accepted the message. */
  markSent(messageId: string, serverResponse: string): MaybePromise<void>;
  /** A transient failure: back to pending; a permanent one: failed. */
  markFailed(messageId: string, error: string, permanent: boolean): MaybePromise<void>;
  /** Fingerprints already said (queued, being sent or sent; not failed) in answer to a message. */
  saidTo(channel: OutboxChannel, inReplyTo: string): MaybePromise<Set<string>>;
  /** How many messages on a channel the server accepted since `since`. */
  sentSince(channel: OutboxChannel, since: Date): MaybePromise<number>;
  /** Rows per state (the dashboard). */
  counts(): MaybePromise<Record<OutboxState | string, number>>;
}

export const isPromise = <T>(v: MaybePromise<T>): v is Promise<T> => typeof (v as { then?: unknown } | null)?.then === 'function';
