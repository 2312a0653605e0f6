/**
 * The outbox on PostgreSQL: the same table shape and state machine as the SQLite Outbox
 * (src/store/outbox.ts), created by the PostgreSQL migration 2 (pg-service-store.ts). Several
 * processes may deliver from it at once: `markSending` is one UPDATE ... WHERE state = $seen
 * AND attempts = $seen RETURNING, so exactly one of them claims a row. Built over the pool (each
 * call its own committed statement) or over a transaction's client (PgServiceStore.recordReview
 * hands one to its caller, so a review and its replies commit together).
 */
import type pg from 'pg';
import type { NewOutboxEntry, OutboxChannel, OutboxEntry, OutboxState } from './outbox.js';
import type { ReplyOutbox } from './reply-outbox.js';

export type PgQueryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

type Row = Record<string, unknown>;
const d = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));

function toEntry(r: Row): OutboxEntry {
  return {
    messageId: r.message_id as string,
    seriesId: r.series_id as string,
    patch: r.patch as number,
    channel: r.channel as OutboxChannel,
    payload: r.payload as Buffer,
    recipients: r.recipients as string[],
    inReplyTo: (r.in_reply_to as string | null) ?? null,
    fingerprints: r.fingerprints as string[],
    envelopeFrom: r.envelope_from as string,
    state: r.state as OutboxState,
    attempts: r.attempts as number,
    lastError: (r.last_error as string | null) ?? null,
    notBefore: d(r.not_before),
    createdAt: d(r.created_at),
    sendingAt: r.sending_at ? d(r.sending_at) : null,
    sentAt: r.sent_at ? d(r.sent_at) : null,
    serverResponse: (r.server_response as string | null) ?? null,
  };
}

/** The PostgreSQL DDL of the outbox (migration 2 of PG_MIGRATIONS). */
export const PG_OUTBOX_DDL = `
  CREATE TABLE outbox (
    message_id      TEXT PRIMARY KEY,
    series_id       TEXT NOT NULL,
    patch           INTEGER NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('smtp', 'patchwork', 'github')),
    payload         BYTEA NOT NULL,
    recipients      JSONB NOT NULL,
    in_reply_to     TEXT,
    fingerprints    JSONB NOT NULL DEFAULT '[]',
    envelope_from   TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    not_before      TIMESTAMPTZ NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    sending_at      TIMESTAMPTZ,
    sent_at         TIMESTAMPTZ,
    server_response TEXT
  );
  CREATE INDEX outbox_due ON outbox (channel, state, not_before);
  CREATE INDEX outbox_sent ON outbox (channel, sent_at);
  CREATE INDEX outbox_reply_to ON outbox (in_reply_to);
`;

/**
 * A row in 'sending' is another deliverer's until this long after it claimed it (it may be in
 * the middle of the SMTP dialogue, retries included); after that it counts as left by a crash
 * and is due again (then resent unless `alreadyDelivered` finds it arrived).
 */
export const DEFAULT_SENDING_LEASE_MS = 10 * 60_000;

export class PgOutbox implements ReplyOutbox {
  private readonly leaseMs: number;
  constructor(private readonly db: PgQueryable, private readonly now: () => Date = () => new Date(), opts: { sendingLeaseMs?: number } = {}) {
    this.leaseMs = opts.sendingLeaseMs ?? DEFAULT_SENDING_LEASE_MS;
  }

  async enqueue(e: NewOutboxEntry): Promise<{ inserted: boolean }> {
    const t = this.now();
    const res = await this.db.query(
      `INSERT INTO outbox (message_id, series_id, patch, channel, payload, recipients, in_reply_to, fingerprints, envelope_from, state, attempts, not_before, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', 0, $10, $11) ON CONFLICT (message_id) DO NOTHING`,
      [e.messageId, e.seriesId, e.patch, e.channel, e.payload, JSON.stringify(e.recipients), e.inReplyTo ?? null, JSON.stringify(e.fingerprints ?? []), e.envelopeFrom ?? '', e.notBefore ?? t, t],
    );
    return { inserted: res.rowCount === 1 };
  }

  async get(messageId: string): Promise<OutboxEntry | null> {
    const r = await this.db.query('SELECT * FROM outbox WHERE message_id = $1', [messageId]);
    const row = r.rows[0] as Row | undefined;
    return row ? toEntry(row) : null;
  }

  /**
   * Pending rows past their delay, and 'sending' rows whose lease ran out (left by a crashed
   * process; a live deliverer's claim is not taken from it). Oldest first.
   */
  async due(channel: OutboxChannel): Promise<OutboxEntry[]> {
    const now = this.now();
    const r = await this.db.query(
      `SELECT * FROM outbox WHERE channel = $1 AND not_before <= $2 AND (state = 'pending' OR (state = 'sending' AND sending_at <= $3)) ORDER BY created_at, message_id`,
      [channel, now, new Date(now.getTime() - this.leaseMs)],
    );
    return (r.rows as Row[]).map(toEntry);
  }

  async all(channel?: OutboxChannel): Promise<OutboxEntry[]> {
    const r = channel
      ? await this.db.query('SELECT * FROM outbox WHERE channel = $1 ORDER BY created_at, message_id', [channel])
      : await this.db.query('SELECT * FROM outbox ORDER BY created_at, message_id');
    return (r.rows as Row[]).map(toEntry);
  }

  async markSending(seen: Pick<OutboxEntry, 'messageId' | 'state' | 'attempts'>): Promise<boolean> {
    const r = await this.db.query(
      `UPDATE outbox SET state = 'sending', attempts = attempts + 1, sending_at = $1 WHERE message_id = $2 AND state = $3 AND attempts = $4 RETURNING message_id`,
      [this.now(), seen.messageId, seen.state, seen.attempts],
    );
    return r.rowCount === 1;
  }

  async markSent(messageId: string, serverResponse: string): Promise<void> {
    await this.db.query(`UPDATE outbox SET state = 'sent', sent_at = $1, server_response = $2, last_error = NULL WHERE message_id = $3`, [this.now(), serverResponse, messageId]);
  }

  async markFailed(messageId: string, error: string, permanent: boolean): Promise<void> {
    await this.db.query('UPDATE outbox SET state = $1, last_error = $2 WHERE message_id = $3', [permanent ? 'failed' : 'pending', error, messageId]);
  }

  async saidTo(channel: OutboxChannel, inReplyTo: string): Promise<Set<string>> {
    const r = await this.db.query(`SELECT fingerprints FROM outbox WHERE channel = $1 AND in_reply_to = $2 AND state != 'failed'`, [channel, inReplyTo]);
    return new Set((r.rows as Row[]).flatMap((x) => x.fingerprints as string[]));
  }

  async sentSince(channel: OutboxChannel, since: Date): Promise<number> {
    const r = await this.db.query(`SELECT COUNT(*)::int AS n FROM outbox WHERE channel = $1 AND state = 'sent' AND sent_at > $2`, [channel, since]);
    return (r.rows[0] as { n: number }).n;
  }

  async counts(): Promise<Record<string, number>> {
    const r = await this.db.query('SELECT state, COUNT(*)::int AS n FROM outbox GROUP BY state');
    return Object.fromEntries((r.rows as { state: string; n: number }[]).map((x) => [x.state, x.n]));
  }
}
