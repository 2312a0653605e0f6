import type { SqliteDb, Store } from './open-store.js';
import type { ReplyOutbox } from './reply-outbox.js';

export type OutboxChannel = 'smtp' | 'patchwork' | 'github';
/**
 * pending: recorded, not yet handed to the server. sending: handed over, no answer recorded yet
 * (after a crash this is the only ambiguous state). sent: the server accepted it. failed: given up.
 */
export type OutboxState = 'pending' | 'sending' | 'sent' | 'failed';

export interface OutboxEntry {
  messageId: string;
  seriesId: string;
  patch: number;
  channel: OutboxChannel;
  payload: Buffer;
  recipients: string[];
  inReplyTo: string | null;
  fingerprints: string[];
  envelopeFrom: string;
  state: OutboxState;
  attempts: number;
  lastError: string | null;
  notBefore: Date;
  createdAt: Date;
  sendingAt: Date | null;
  sentAt: Date | null;
  serverResponse: string | null;
}

export interface NewOutboxEntry {
  messageId: string;
  seriesId: string;
  patch: number;
  channel: OutboxChannel;
  payload: Buffer;
  recipients: string[];
  inReplyTo?: string;
  /** The findings it carries, so a later review can leave out what was already said. */
  fingerprints?: string[];
  envelopeFrom?: string;
  /** Not to be sent before this time (default: now). */
  notBefore?: Date;
}

interface Row {
  message_id: string;
  series_id: string;
  patch: number;
  channel: OutboxChannel;
  payload: Buffer;
  recipients: string;
  in_reply_to: string | null;
  fingerprints: string;
  envelope_from: string;
  state: OutboxState;
  attempts: number;
  last_error: string | null;
  not_before: string;
  created_at: string;
  sending_at: string | null;
  sent_at: string | null;
  server_response: string | null;
}

const date = (s: string | null): Date | null => (s === null ? null : new Date(s));

function toEntry(r: Row): OutboxEntry {
  return {
    messageId: r.message_id,
    seriesId: r.series_id,
    patch: r.patch,
    channel: r.channel,
    payload: r.payload,
    recipients: JSON.parse(r.recipients) as string[],
    inReplyTo: r.in_reply_to,
    fingerprints: JSON.parse(r.fingerprints) as string[],
    envelopeFrom: r.envelope_from,
    state: r.state,
    attempts: r.attempts,
    lastError: r.last_error,
    notBefore: new Date(r.not_before),
    createdAt: new Date(r.created_at),
    sendingAt: date(r.sending_at),
    sentAt: date(r.sent_at),
    serverResponse: r.server_response,
  };
}

/**
 * The record of everything we post, written before and after posting, so a crash or restart
 * never loses a message and never posts one twice (see deliverPending for the one window SMTP
 * leaves open). Each state change is its own committed transaction.
 */
export class Outbox implements ReplyOutbox {
  private readonly db: SqliteDb;
  constructor(store: Store, private readonly now: () => Date = () => new Date()) {
    this.db = store.db;
  }

  /** Record a message; a second enqueue of the same Message-ID changes nothing. */
  enqueue(e: NewOutboxEntry): { inserted: boolean } {
    const t = this.now().toISOString();
    const res = this.db
      .prepare(
        `INSERT INTO outbox (message_id, series_id, patch, channel, payload, recipients, in_reply_to, fingerprints, envelope_from, state, attempts, not_before, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (message_id) DO NOTHING`,
      )
      .run(e.messageId, e.seriesId, e.patch, e.channel, e.payload, JSON.stringify(e.recipients), e.inReplyTo ?? null, JSON.stringify(e.fingerprints ?? []), e.envelopeFrom ?? '', (e.notBefore ?? this.now()).toISOString(), t);
    return { inserted: res.changes === 1 };
  }

  get(messageId: string): OutboxEntry | null {
    const r = this.db.prepare('SELECT * FROM outbox WHERE message_id = ?').get(messageId) as Row | undefined;
    return r ? toEntry(r) : null;
  }

  /** Rows due now: pending ones past their delay, and 'sending' ones left by a crash. Oldest first. */
  due(channel: OutboxChannel): OutboxEntry[] {
    const rows = this.db
      .prepare(`SELECT * FROM outbox WHERE channel = ? AND state IN ('pending', 'sending') AND not_before <= ? ORDER BY created_at, message_id`)
      .all(channel, this.now().toISOString()) as Row[];
    return rows.map(toEntry);
  }

  all(channel?: OutboxChannel): OutboxEntry[] {
    const rows = (channel
      ? this.db.prepare('SELECT * FROM outbox WHERE channel = ? ORDER BY created_at, message_id').all(channel)
      : this.db.prepare('SELECT * FROM outbox ORDER BY created_at, message_id').all()) as Row[];
    return rows.map(toEntry);
  }

  /**
   * Committed before the bytes go to the server. A compare-and-set on the row as the caller read
   * it (state and attempts), so two deliverers never both claim one row, even a stale 'sending'
   * one after a restart; false when someone else got there first.
   */
  markSending(seen: Pick<OutboxEntry, 'messageId' | 'state' | 'attempts'>): boolean {
    const res = this.db
      .prepare(`UPDATE outbox SET state = 'sending', attempts = attempts + 1, sending_at = ? WHERE message_id = ? AND state = ? AND attempts = ?`)
      .run(this.now().toISOString(), seen.messageId, seen.state, seen.attempts);
    return res.changes === 1;
  }

  /** Committed only after the server accepted the message. */
  markSent(messageId: string, serverResponse: string): void {
    this.db
      .prepare(`UPDATE outbox SET state = 'sent', sent_at = ?, server_response = ?, last_error = NULL WHERE message_id = ?`)
      .run(this.now().toISOString(), serverResponse, messageId);
  }

  /** A transient failure: back to pending (retried on the next run); a permanent one: failed. */
  markFailed(messageId: string, error: string, permanent: boolean): void {
    this.db
      .prepare(`UPDATE outbox SET state = ?, last_error = ? WHERE message_id = ?`)
      .run(permanent ? 'failed' : 'pending', error, messageId);
  }

  /** Fingerprints already said (queued, being sent or sent; not failed) in answer to a message. */
  saidTo(channel: OutboxChannel, inReplyTo: string): Set<string> {
    const rows = this.db
      .prepare(`SELECT fingerprints FROM outbox WHERE channel = ? AND in_reply_to = ? AND state != 'failed'`)
      .all(channel, inReplyTo) as { fingerprints: string }[];
    return new Set(rows.flatMap((r) => JSON.parse(r.fingerprints) as string[]));
  }

  /** How many messages on a channel the server accepted since `since` (for the per-hour cap). */
  sentSince(channel: OutboxChannel, since: Date): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE channel = ? AND state = 'sent' AND sent_at > ?`).get(channel, since.toISOString()) as { n: number }).n;
  }

  /** Rows per state (the dashboard). */
  counts(): Record<string, number> {
    return Object.fromEntries((this.db.prepare('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state').all() as { state: string; n: number }[]).map((r) => [r.state, r.n]));
  }
}
