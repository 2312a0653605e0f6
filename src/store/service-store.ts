import type { Finding } from '../model/index.js';
import type { Store } from './open-store.js';
import { isPromise, type ReplyOutbox } from './reply-outbox.js';
import { BugError } from '../model/index.js';

/** A findings table row (SQLite or PostgreSQL: same columns) as a stored finding; `quoted` decoded by the caller. */
export function storedFindingOf(f: Record<string, unknown>, quoted: string[]): StoredFinding {
  return {
    ruleId: f.rule_id as string,
    severity: f.severity as Finding['severity'],
    patch: f.patch as number,
    messageId: f.message_id as string,
    file: (f.file as string | null) ?? null,
    line: (f.line as number | null) ?? null,
    message: f.message as string,
    ...(f.source ? { source: f.source as string } : {}),
    fingerprint: f.fingerprint as string,
    quoted,
  };
}

/** One message as the daemon stores it: raw bytes, deduplicated by Message-ID. */
export interface StoredMessage {
  messageId: string;
  /** The configured source's name. */
  source: string;
  /** Where in the source ("file.mbox#17", "pi:<dir>@<commit>"). */
  origin: string;
  receivedAt: Date;
  raw: Buffer;
}

export interface NewMessage {
  messageId: string;
  origin: string;
  raw: Buffer;
}

export type SeriesState = 'waiting' | 'reviewed' | 'errors-found' | 'does-not-apply' | 'review-failed';

export interface SeriesRow {
  id: string;
  subject: string;
  title: string;
  revision: number;
  total: number;
  author: string | null;
  state: SeriesState;
  missing: number[];
  firstSeen: Date;
  deadline: Date;
  contentHash: string;
  previous: string | null;
  updatedAt: Date;
}

export interface CursorRow {
  source: string;
  cursor: string;
  updatedAt: Date;
  lastMessageAt: Date | null;
}

/** A finding as recorded, with the patch lines it is about. */
export interface StoredFinding extends Finding {
  quoted: string[];
}

export interface ReviewRecord {
  seriesId: string;
  revision: number;
  contentHash: string;
  reason: 'complete' | 'deadline';
  missing: number[];
  reviewedAt: Date;
  notRun: string[];
  errors: { code: string; message: string; patch?: number }[];
  findings: StoredFinding[];
  worker?: string;
}

export interface ReviewRow extends Omit<ReviewRecord, 'findings'> {
  id: number;
  findings: StoredFinding[];
}

export interface AgreementRow {
  measuredAt: Date;
  kernel: string;
  programs: number;
  verdictAgree: number;
  messageAgree: number;
}

/** The review key: a series revision with exactly these members is reviewed once. */
export const reviewKey = (seriesId: string, revision: number, contentHash: string): string => `${seriesId}\u0000${revision}\u0000${contentHash}`;

/** Writes joined to recordReview's transaction (see ServiceStore.recordReview). */
export type InTransaction = (txOutbox?: ReplyOutbox) => void | Promise<void>;

/**
 * What the service keeps, behind one interface so SQLite (default) and PostgreSQL can both hold
 * it. Every method that writes is one transaction; `addMessages` writes the messages of a batch
 * together with the source's cursor, `recordReview` the review, its findings and whatever the
 * caller's `alsoInTransaction` writes (the outbox rows), so a crash leaves either all or none.
 */
export interface ServiceStore {
  /** Insert the messages not yet stored and move the source's cursor, atomically. Returns the ids inserted now. */
  addMessages(source: string, batch: readonly NewMessage[], cursor: string | null, now: Date): Promise<string[]>;
  cursor(source: string): Promise<string | null>;
  cursors(): Promise<CursorRow[]>;
  /** Messages received at or after `since` (all when null), oldest first. */
  messages(since: Date | null): AsyncIterable<StoredMessage>;
  messagesByIds(ids: readonly string[]): Promise<Map<string, StoredMessage>>;
  hasMessage(messageId: string): Promise<boolean>;
  messageCount(): Promise<number>;
  setRoles(roles: readonly { messageId: string; role: string; seriesId: string | null }[]): Promise<void>;
  saveSeries(rows: readonly SeriesRow[]): Promise<void>;
  series(id: string): Promise<SeriesRow | null>;
  listSeries(opts?: { limit?: number; state?: SeriesState }): Promise<SeriesRow[]>;
  reviewedKeys(): Promise<Set<string>>;
  /**
   * Record a review once per (series, revision, content hash). false when it was already there
   * (then nothing is written and `alsoInTransaction` is not called).
   * `alsoInTransaction` writes in the same transaction (the replies' outbox rows): SQLite calls it
   * synchronously with no argument (the caller's Outbox on the same connection joins the open
   * transaction; it must not return a promise), PostgreSQL with an outbox bound to the
   * transaction's client, and awaits it before COMMIT.
   */
  recordReview(r: ReviewRecord, alsoInTransaction?: InTransaction): Promise<{ recorded: boolean; reviewId: number | null }>;
  reviews(seriesId: string): Promise<ReviewRow[]>;
  reviewCount(): Promise<number>;
  /** Findings per rule per UTC day. */
  findingsPerRuleDaily(): Promise<{ day: string; ruleId: string; count: number }[]>;
  recordAgreement(a: AgreementRow): Promise<void>;
  agreement(): Promise<AgreementRow[]>;
  close(): Promise<void>;
}

interface SeriesDbRow {
  id: string;
  subject: string;
  title: string;
  revision: number;
  total: number;
  author: string | null;
  state: SeriesState;
  missing: string;
  first_seen: string;
  deadline: string;
  content_hash: string;
  previous: string | null;
  updated_at: string;
}

const toSeries = (r: SeriesDbRow): SeriesRow => ({
  id: r.id,
  subject: r.subject,
  title: r.title,
  revision: r.revision,
  total: r.total,
  author: r.author,
  state: r.state,
  missing: JSON.parse(r.missing) as number[],
  firstSeen: new Date(r.first_seen),
  deadline: new Date(r.deadline),
  contentHash: r.content_hash,
  previous: r.previous,
  updatedAt: new Date(r.updated_at),
});

interface MessageDbRow {
  message_id: string;
  source: string;
  origin: string;
  received_at: string;
  raw: Buffer;
}

const toMessage = (r: MessageDbRow): StoredMessage => ({ messageId: r.message_id, source: r.source, origin: r.origin, receivedAt: new Date(r.received_at), raw: r.raw });

/**
 * The ServiceStore on SQLite (better-sqlite3). `synchronous = FULL`: in WAL mode NORMAL already
 * survives a process crash (kill -9: the WAL is in the OS cache), but a power loss could take back
 * the last commits, and a lost 'sent' mark is a reply mailed twice; we write a few rows per
 * message and per reply, so an fsync per commit costs little.
 */
export class SqliteServiceStore implements ServiceStore {
  constructor(readonly store: Store) {
    store.db.pragma('synchronous = FULL');
  }

  private get db() {
    return this.store.db;
  }

  async addMessages(source: string, batch: readonly NewMessage[], cursor: string | null, now: Date): Promise<string[]> {
    const ins = this.db.prepare('INSERT INTO messages (message_id, source, origin, received_at, raw) VALUES (?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING');
    const cur = this.db.prepare(
      `INSERT INTO cursors (source, cursor, updated_at, last_message_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at, last_message_at = COALESCE(excluded.last_message_at, cursors.last_message_at)`,
    );
    const t = now.toISOString();
    return this.db.transaction(() => {
      const inserted: string[] = [];
      for (const m of batch) if (ins.run(m.messageId, source, m.origin, t, m.raw).changes === 1) inserted.push(m.messageId);
      if (cursor !== null) cur.run(source, cursor, t, batch.length > 0 ? t : null);
      return inserted;
    }).immediate();
  }

  async cursor(source: string): Promise<string | null> {
    const r = this.db.prepare('SELECT cursor FROM cursors WHERE source = ?').get(source) as { cursor: string } | undefined;
    return r?.cursor ?? null;
  }

  async cursors(): Promise<CursorRow[]> {
    const rows = this.db.prepare('SELECT * FROM cursors ORDER BY source').all() as { source: string; cursor: string; updated_at: string; last_message_at: string | null }[];
    return rows.map((r) => ({ source: r.source, cursor: r.cursor, updatedAt: new Date(r.updated_at), lastMessageAt: r.last_message_at ? new Date(r.last_message_at) : null }));
  }

  async *messages(since: Date | null): AsyncIterable<StoredMessage> {
    // pages by rowid (insertion order), so no statement stays open across a yield
    const page = this.db.prepare('SELECT rowid AS k, message_id, source, origin, received_at, raw FROM messages WHERE rowid > ? AND received_at >= ? ORDER BY rowid LIMIT 500');
    let after = 0;
    for (;;) {
      const rows = page.all(after, since ? since.toISOString() : '') as (MessageDbRow & { k: number })[];
      if (rows.length === 0) return;
      for (const r of rows) yield toMessage(r);
      after = rows[rows.length - 1]!.k;
    }
  }

  async messagesByIds(ids: readonly string[]): Promise<Map<string, StoredMessage>> {
    const stmt = this.db.prepare('SELECT message_id, source, origin, received_at, raw FROM messages WHERE message_id = ?');
    const out = new Map<string, StoredMessage>();
    for (const id of ids) {
      const r = stmt.get(id) as MessageDbRow | undefined;
      if (r) out.set(id, toMessage(r));
    }
    return out;
  }

  async hasMessage(messageId: string): Promise<boolean> {
    return this.db.prepare('SELECT 1 FROM messages WHERE message_id = ?').get(messageId) !== undefined;
  }

  async messageCount(): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n;
  }

  async setRoles(roles: readonly { messageId: string; role: string; seriesId: string | null }[]): Promise<void> {
    const up = this.db.prepare('UPDATE messages SET role = ?, series_id = ? WHERE message_id = ? AND (role IS NOT ? OR series_id IS NOT ?)');
    this.db.transaction(() => {
      for (const r of roles) up.run(r.role, r.seriesId, r.messageId, r.role, r.seriesId);
    }).immediate();
  }

  async saveSeries(rows: readonly SeriesRow[]): Promise<void> {
    const up = this.db.prepare(
      `INSERT INTO series (id, subject, title, revision, total, author, state, missing, first_seen, deadline, content_hash, previous, updated_at)
       VALUES (@id, @subject, @title, @revision, @total, @author, @state, @missing, @first_seen, @deadline, @content_hash, @previous, @updated_at)
       ON CONFLICT (id) DO UPDATE SET subject = excluded.subject, title = excluded.title, revision = excluded.revision, total = excluded.total,
         author = excluded.author, state = excluded.state, missing = excluded.missing, deadline = excluded.deadline,
         content_hash = excluded.content_hash, previous = excluded.previous, updated_at = excluded.updated_at`,
    );
    this.db.transaction(() => {
      for (const s of rows) {
        up.run({
          id: s.id,
          subject: s.subject,
          title: s.title,
          revision: s.revision,
          total: s.total,
          author: s.author,
          state: s.state,
          missing: JSON.stringify(s.missing),
          first_seen: s.firstSeen.toISOString(),
          deadline: s.deadline.toISOString(),
          content_hash: s.contentHash,
          previous: s.previous,
          updated_at: s.updatedAt.toISOString(),
        });
      }
    }).immediate();
  }

  async series(id: string): Promise<SeriesRow | null> {
    const r = this.db.prepare('SELECT * FROM series WHERE id = ?').get(id) as SeriesDbRow | undefined;
    return r ? toSeries(r) : null;
  }

  async listSeries(opts: { limit?: number; state?: SeriesState } = {}): Promise<SeriesRow[]> {
    const limit = opts.limit ?? 200;
    const rows = (opts.state
      ? this.db.prepare('SELECT * FROM series WHERE state = ? ORDER BY updated_at DESC, id LIMIT ?').all(opts.state, limit)
      : this.db.prepare('SELECT * FROM series ORDER BY updated_at DESC, id LIMIT ?').all(limit)) as SeriesDbRow[];
    return rows.map(toSeries);
  }

  async reviewedKeys(): Promise<Set<string>> {
    const rows = this.db.prepare('SELECT series_id, revision, content_hash FROM reviews').all() as { series_id: string; revision: number; content_hash: string }[];
    return new Set(rows.map((r) => reviewKey(r.series_id, r.revision, r.content_hash)));
  }

  async recordReview(r: ReviewRecord, alsoInTransaction?: InTransaction): Promise<{ recorded: boolean; reviewId: number | null }> {
    const ins = this.db.prepare(
      `INSERT INTO reviews (series_id, revision, content_hash, reason, missing, reviewed_at, not_run, errors, worker)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (series_id, revision, content_hash) DO NOTHING`,
    );
    const insF = this.db.prepare(
      `INSERT INTO findings (review_id, rule_id, severity, patch, message_id, file, line, message, source, fingerprint, quoted)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    return this.db.transaction(() => {
      const res = ins.run(r.seriesId, r.revision, r.contentHash, r.reason, JSON.stringify(r.missing), r.reviewedAt.toISOString(), JSON.stringify(r.notRun), JSON.stringify(r.errors), r.worker ?? null);
      if (res.changes !== 1) return { recorded: false, reviewId: null };
      const id = Number(res.lastInsertRowid);
      for (const f of r.findings) {
        insF.run(id, f.ruleId, f.severity, f.patch, f.messageId, f.file, f.line, f.message, f.source ?? null, f.fingerprint, JSON.stringify(f.quoted));
      }
      const more = alsoInTransaction?.();
      if (more !== undefined && isPromise(more)) throw new BugError('SqliteServiceStore.recordReview: alsoInTransaction returned a promise (SQLite transactions are synchronous)');
      return { recorded: true, reviewId: id };
    }).immediate();
  }

  async reviews(seriesId: string): Promise<ReviewRow[]> {
    const rows = this.db.prepare('SELECT * FROM reviews WHERE series_id = ? ORDER BY id').all(seriesId) as {
      id: number;
      series_id: string;
      revision: number;
      content_hash: string;
      reason: 'complete' | 'deadline';
      missing: string;
      reviewed_at: string;
      not_run: string;
      errors: string;
      worker: string | null;
    }[];
    const fs = this.db.prepare('SELECT * FROM findings WHERE review_id = ? ORDER BY patch, id');
    return rows.map((r) => ({
      id: r.id,
      seriesId: r.series_id,
      revision: r.revision,
      contentHash: r.content_hash,
      reason: r.reason,
      missing: JSON.parse(r.missing) as number[],
      reviewedAt: new Date(r.reviewed_at),
      notRun: JSON.parse(r.not_run) as string[],
      errors: JSON.parse(r.errors) as ReviewRecord['errors'],
      ...(r.worker ? { worker: r.worker } : {}),
      findings: (fs.all(r.id) as Record<string, unknown>[]).map((f) => storedFindingOf(f, JSON.parse(f.quoted as string) as string[])),
    }));
  }

  async reviewCount(): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM reviews').get() as { n: number }).n;
  }

  async findingsPerRuleDaily(): Promise<{ day: string; ruleId: string; count: number }[]> {
    return (this.db
      .prepare(`SELECT substr(r.reviewed_at, 1, 10) AS day, f.rule_id AS ruleId, COUNT(*) AS count FROM findings f JOIN reviews r ON r.id = f.review_id GROUP BY day, f.rule_id ORDER BY day, f.rule_id`)
      .all() as { day: string; ruleId: string; count: number }[]);
  }

  async recordAgreement(a: AgreementRow): Promise<void> {
    this.db.prepare('INSERT INTO model_agreement (measured_at, kernel, programs, verdict_agree, message_agree) VALUES (?, ?, ?, ?, ?)').run(a.measuredAt.toISOString(), a.kernel, a.programs, a.verdictAgree, a.messageAgree);
  }

  async agreement(): Promise<AgreementRow[]> {
    const rows = this.db.prepare('SELECT * FROM model_agreement ORDER BY measured_at').all() as { measured_at: string; kernel: string; programs: number; verdict_agree: number; message_agree: number }[];
    return rows.map((r) => ({ measuredAt: new Date(r.measured_at), kernel: r.kernel, programs: r.programs, verdictAgree: r.verdict_agree, messageAgree: r.message_agree }));
  }

  async close(): Promise<void> {
    this.store.close();
  }
}
