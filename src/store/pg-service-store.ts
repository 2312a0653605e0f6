/**
 * The ServiceStore on PostgreSQL (pg), for deployments where several worker processes or
 * machines share the reviews (graphile-worker is the job queue, in the same database). Same
 * tables and the same unique review key as SQLite, in PostgreSQL's dialect, with its own
 * numbered migrations (pg_schema_migrations). Migration 2 adds the outbox (src/store/pg-outbox.ts):
 * a review, its findings and its replies' outbox rows commit in one transaction, as on SQLite.
 */
import pg from 'pg';
import type { AgreementRow, CursorRow, InTransaction, NewMessage, ReviewRecord, ReviewRow, SeriesRow, SeriesState, ServiceStore, StoredMessage } from './service-store.js';
import { reviewKey, storedFindingOf } from './service-store.js';
import { StoreTooNewError } from './open-store.js';
import { PG_OUTBOX_DDL, PgOutbox } from './pg-outbox.js';

export interface PgMigration {
  version: number;
  name: string;
  up: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'service',
    up: `
      CREATE TABLE messages (
        message_id  TEXT PRIMARY KEY,
        seq         BIGSERIAL UNIQUE,
        source      TEXT NOT NULL,
        origin      TEXT NOT NULL,
        received_at TIMESTAMPTZ NOT NULL,
        role        TEXT,
        series_id   TEXT,
        raw         BYTEA NOT NULL
      );
      CREATE INDEX messages_received ON messages (received_at);
      CREATE TABLE cursors (source TEXT PRIMARY KEY, cursor TEXT NOT NULL, updated_at TIMESTAMPTZ NOT NULL, last_message_at TIMESTAMPTZ);
      CREATE TABLE series (
        id TEXT PRIMARY KEY, subject TEXT NOT NULL, title TEXT NOT NULL, revision INTEGER NOT NULL, total INTEGER NOT NULL,
        author TEXT, state TEXT NOT NULL, missing JSONB NOT NULL DEFAULT '[]', first_seen TIMESTAMPTZ NOT NULL,
        deadline TIMESTAMPTZ NOT NULL, content_hash TEXT NOT NULL, previous TEXT, updated_at TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX series_updated ON series (updated_at);
      CREATE TABLE reviews (
        id BIGSERIAL PRIMARY KEY, series_id TEXT NOT NULL, revision INTEGER NOT NULL, content_hash TEXT NOT NULL,
        reason TEXT NOT NULL, missing JSONB NOT NULL DEFAULT '[]', reviewed_at TIMESTAMPTZ NOT NULL,
        not_run JSONB NOT NULL DEFAULT '[]', errors JSONB NOT NULL DEFAULT '[]', worker TEXT,
        UNIQUE (series_id, revision, content_hash)
      );
      CREATE TABLE findings (
        id BIGSERIAL PRIMARY KEY, review_id BIGINT NOT NULL REFERENCES reviews (id), rule_id TEXT NOT NULL, severity TEXT NOT NULL,
        patch INTEGER NOT NULL, message_id TEXT NOT NULL, file TEXT, line INTEGER, message TEXT NOT NULL, source TEXT,
        fingerprint TEXT NOT NULL, quoted JSONB NOT NULL DEFAULT '[]'
      );
      CREATE INDEX findings_review ON findings (review_id);
      CREATE TABLE model_agreement (measured_at TIMESTAMPTZ NOT NULL, kernel TEXT NOT NULL, programs INTEGER NOT NULL, verdict_agree INTEGER NOT NULL, message_agree INTEGER NOT NULL);
    `,
  },
  { version: 2, name: 'outbox', up: PG_OUTBOX_DDL },
];

type Row = Record<string, unknown>;
const d = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));

function toSeries(r: Row): SeriesRow {
  return {
    id: r.id as string,
    subject: r.subject as string,
    title: r.title as string,
    revision: r.revision as number,
    total: r.total as number,
    author: (r.author as string | null) ?? null,
    state: r.state as SeriesState,
    missing: r.missing as number[],
    firstSeen: d(r.first_seen),
    deadline: d(r.deadline),
    contentHash: r.content_hash as string,
    previous: (r.previous as string | null) ?? null,
    updatedAt: d(r.updated_at),
  };
}

const toMessage = (r: Row): StoredMessage => ({ messageId: r.message_id as string, source: r.source as string, origin: r.origin as string, receivedAt: d(r.received_at), raw: r.raw as Buffer });

export class PgServiceStore implements ServiceStore {
  readonly pool: pg.Pool;
  private readonly now: () => Date;
  private readonly sendingLeaseMs: number | undefined;
  constructor(connectionString: string, opts: { max?: number; now?: () => Date; sendingLeaseMs?: number } = {}) {
    this.pool = new pg.Pool({ connectionString, max: opts.max ?? 4 });
    this.now = opts.now ?? (() => new Date());
    this.sendingLeaseMs = opts.sendingLeaseMs;
  }

  /** The outbox in this database; each call is its own committed statement. */
  outbox(): PgOutbox {
    return new PgOutbox(this.pool, this.now, this.sendingLeaseMs === undefined ? {} : { sendingLeaseMs: this.sendingLeaseMs });
  }

  /** Apply the PostgreSQL migrations not yet applied (one transaction each, under an advisory lock). */
  async migrate(): Promise<number[]> {
    const c = await this.pool.connect();
    try {
      await c.query('SELECT pg_advisory_lock(727274)');
      await c.query('CREATE TABLE IF NOT EXISTS pg_schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
      const cur = ((await c.query('SELECT COALESCE(MAX(version), 0) AS v FROM pg_schema_migrations')).rows[0] as { v: number }).v;
      if (cur > PG_MIGRATIONS.length) throw new StoreTooNewError(cur, PG_MIGRATIONS.length);
      const applied: number[] = [];
      for (const m of PG_MIGRATIONS.slice(cur)) {
        await c.query('BEGIN');
        try {
          await c.query(m.up);
          await c.query('INSERT INTO pg_schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
          await c.query('COMMIT');
        } catch (err) {
          await c.query('ROLLBACK');
          throw err;
        }
        applied.push(m.version);
      }
      return applied;
    } finally {
      await c.query('SELECT pg_advisory_unlock(727274)').catch(() => undefined);
      c.release();
    }
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  async addMessages(source: string, batch: readonly NewMessage[], cursor: string | null, now: Date): Promise<string[]> {
    return this.tx(async (c) => {
      const inserted: string[] = [];
      if (batch.length > 0) {
        const res = await c.query(
          `INSERT INTO messages (message_id, source, origin, received_at, raw)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::bytea[])
           ON CONFLICT (message_id) DO NOTHING RETURNING message_id`,
          [batch.map((m) => m.messageId), batch.map(() => source), batch.map((m) => m.origin), batch.map(() => now), batch.map((m) => m.raw)],
        );
        const got = new Set(res.rows.map((r: Row) => r.message_id as string));
        // a Message-ID twice in one batch: the first copy is the one kept
        for (const m of batch) if (got.delete(m.messageId)) inserted.push(m.messageId);
      }
      if (cursor !== null) {
        await c.query(
          `INSERT INTO cursors (source, cursor, updated_at, last_message_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at, last_message_at = COALESCE(excluded.last_message_at, cursors.last_message_at)`,
          [source, cursor, now, batch.length > 0 ? now : null],
        );
      }
      return inserted;
    });
  }

  async cursor(source: string): Promise<string | null> {
    const r = await this.pool.query('SELECT cursor FROM cursors WHERE source = $1', [source]);
    return (r.rows[0] as Row | undefined)?.cursor as string | undefined ?? null;
  }

  async cursors(): Promise<CursorRow[]> {
    const r = await this.pool.query('SELECT * FROM cursors ORDER BY source');
    return r.rows.map((x: Row) => ({ source: x.source as string, cursor: x.cursor as string, updatedAt: d(x.updated_at), lastMessageAt: x.last_message_at ? d(x.last_message_at) : null }));
  }

  async *messages(since: Date | null): AsyncIterable<StoredMessage> {
    let after = 0;
    for (;;) {
      const r = await this.pool.query('SELECT seq, message_id, source, origin, received_at, raw FROM messages WHERE seq > $1 AND received_at >= $2 ORDER BY seq LIMIT 500', [after, since ?? new Date(0)]);
      if (r.rows.length === 0) return;
      for (const row of r.rows as Row[]) yield toMessage(row);
      after = Number((r.rows[r.rows.length - 1] as Row).seq);
    }
  }

  async messagesByIds(ids: readonly string[]): Promise<Map<string, StoredMessage>> {
    const r = await this.pool.query('SELECT message_id, source, origin, received_at, raw FROM messages WHERE message_id = ANY($1::text[])', [ids]);
    return new Map(r.rows.map((x: Row) => [x.message_id as string, toMessage(x)]));
  }

  async hasMessage(messageId: string): Promise<boolean> {
    return (await this.pool.query('SELECT 1 FROM messages WHERE message_id = $1', [messageId])).rowCount === 1;
  }

  async messageCount(): Promise<number> {
    return Number(((await this.pool.query('SELECT COUNT(*) AS n FROM messages')).rows[0] as Row).n);
  }

  async setRoles(roles: readonly { messageId: string; role: string; seriesId: string | null }[]): Promise<void> {
    if (roles.length === 0) return;
    await this.pool.query(
      `UPDATE messages m SET role = x.role, series_id = x.series_id FROM unnest($1::text[], $2::text[], $3::text[]) AS x(message_id, role, series_id) WHERE m.message_id = x.message_id`,
      [roles.map((r) => r.messageId), roles.map((r) => r.role), roles.map((r) => r.seriesId)],
    );
  }

  async saveSeries(rows: readonly SeriesRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.tx(async (c) => {
      for (const s of rows) {
        await c.query(
          `INSERT INTO series (id, subject, title, revision, total, author, state, missing, first_seen, deadline, content_hash, previous, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
           ON CONFLICT (id) DO UPDATE SET subject = excluded.subject, title = excluded.title, revision = excluded.revision, total = excluded.total,
             author = excluded.author, state = excluded.state, missing = excluded.missing, deadline = excluded.deadline,
             content_hash = excluded.content_hash, previous = excluded.previous, updated_at = excluded.updated_at`,
          [s.id, s.subject, s.title, s.revision, s.total, s.author, s.state, JSON.stringify(s.missing), s.firstSeen, s.deadline, s.contentHash, s.previous, s.updatedAt],
        );
      }
    });
  }

  async series(id: string): Promise<SeriesRow | null> {
    const r = await this.pool.query('SELECT * FROM series WHERE id = $1', [id]);
    return r.rows[0] ? toSeries(r.rows[0] as Row) : null;
  }

  async listSeries(opts: { limit?: number; state?: SeriesState } = {}): Promise<SeriesRow[]> {
    const r = opts.state
      ? await this.pool.query('SELECT * FROM series WHERE state = $1 ORDER BY updated_at DESC, id LIMIT $2', [opts.state, opts.limit ?? 200])
      : await this.pool.query('SELECT * FROM series ORDER BY updated_at DESC, id LIMIT $1', [opts.limit ?? 200]);
    return r.rows.map((x: Row) => toSeries(x));
  }

  async reviewedKeys(): Promise<Set<string>> {
    const r = await this.pool.query('SELECT series_id, revision, content_hash FROM reviews');
    return new Set(r.rows.map((x: Row) => reviewKey(x.series_id as string, x.revision as number, x.content_hash as string)));
  }

  /**
   * As SQLite's. `alsoInTransaction` gets an outbox bound to this transaction's client and is
   * awaited before the COMMIT, so the replies it enqueues commit with the review or not at all.
   */
  async recordReview(r: ReviewRecord, alsoInTransaction?: InTransaction): Promise<{ recorded: boolean; reviewId: number | null }> {
    return this.tx(async (c) => {
      const res = await c.query(
        `INSERT INTO reviews (series_id, revision, content_hash, reason, missing, reviewed_at, not_run, errors, worker)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (series_id, revision, content_hash) DO NOTHING RETURNING id`,
        [r.seriesId, r.revision, r.contentHash, r.reason, JSON.stringify(r.missing), r.reviewedAt, JSON.stringify(r.notRun), JSON.stringify(r.errors), r.worker ?? null],
      );
      const row = res.rows[0] as Row | undefined;
      if (!row) return { recorded: false, reviewId: null };
      const id = Number(row.id);
      for (const f of r.findings) {
        await c.query(
          `INSERT INTO findings (review_id, rule_id, severity, patch, message_id, file, line, message, source, fingerprint, quoted) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [id, f.ruleId, f.severity, f.patch, f.messageId, f.file, f.line, f.message, f.source ?? null, f.fingerprint, JSON.stringify(f.quoted)],
        );
      }
      await alsoInTransaction?.(new PgOutbox(c, this.now));
      return { recorded: true, reviewId: id };
    });
  }

  async reviews(seriesId: string): Promise<ReviewRow[]> {
    const rs = (await this.pool.query('SELECT * FROM reviews WHERE series_id = $1 ORDER BY id', [seriesId])).rows as Row[];
    const out: ReviewRow[] = [];
    for (const r of rs) {
      const fs = (await this.pool.query('SELECT * FROM findings WHERE review_id = $1 ORDER BY patch, id', [r.id])).rows as Row[];
      out.push({
        id: Number(r.id),
        seriesId: r.series_id as string,
        revision: r.revision as number,
        contentHash: r.content_hash as string,
        reason: r.reason as 'complete' | 'deadline',
        missing: r.missing as number[],
        reviewedAt: d(r.reviewed_at),
        notRun: r.not_run as string[],
        errors: r.errors as ReviewRecord['errors'],
        ...(r.worker ? { worker: r.worker as string } : {}),
        findings: fs.map((f) => storedFindingOf(f, f.quoted as string[])),
      });
    }
    return out;
  }

  async reviewCount(): Promise<number> {
    return Number(((await this.pool.query('SELECT COUNT(*) AS n FROM reviews')).rows[0] as Row).n);
  }

  async findingsPerRuleDaily(): Promise<{ day: string; ruleId: string; count: number }[]> {
    const r = await this.pool.query(
      `SELECT to_char(r.reviewed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, f.rule_id, COUNT(*) AS n FROM findings f JOIN reviews r ON r.id = f.review_id GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    return r.rows.map((x: Row) => ({ day: x.day as string, ruleId: x.rule_id as string, count: Number(x.n) }));
  }

  async recordAgreement(a: AgreementRow): Promise<void> {
    await this.pool.query('INSERT INTO model_agreement (measured_at, kernel, programs, verdict_agree, message_agree) VALUES ($1, $2, $3, $4, $5)', [a.measuredAt, a.kernel, a.programs, a.verdictAgree, a.messageAgree]);
  }

  async agreement(): Promise<AgreementRow[]> {
    const r = await this.pool.query('SELECT * FROM model_agreement ORDER BY measured_at');
    return r.rows.map((x: Row) => ({ measuredAt: d(x.measured_at), kernel: x.kernel as string, programs: x.programs as number, verdictAgree: x.verdict_agree as number, messageAgree: x.message_agree as number }));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
