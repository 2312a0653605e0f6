import Database from 'better-sqlite3';
import { BugError } from '../model/index.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

export type SqliteDb = Database.Database;

export interface Store {
  db: SqliteDb;
  /** Apply the migrations not yet applied, in order; returns the versions applied now. */
  migrate(): number[];
  /** The highest applied version (0 for an empty database). */
  version(): number;
  close(): void;
}

/** The database was written by a newer bpf-review: refuse rather than guess. */
export class StoreTooNewError extends Error {
  constructor(readonly found: number, readonly known: number) {
    super(`the store is at schema version ${found}, this bpf-review knows up to ${known}; upgrade bpf-review`);
    this.name = 'StoreTooNewError';
  }
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new BugError(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
}

/**
 * Open (or create) a SQLite store. ':memory:' works for tests. WAL mode so a reader (the
 * dashboard) does not block the writer. Call migrate() before use.
 */
export function openStore(path: string, opts: { migrations?: readonly Migration[]; now?: () => Date } = {}): Store {
  const migrations = opts.migrations ?? MIGRATIONS;
  const now = opts.now ?? (() => new Date());
  checkOrder(migrations);
  const db = new Database(path);
  if (path !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const version = (): number => (db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number }).v;
  const migrate = (): number[] => {
    const current = version();
    if (current > migrations.length) throw new StoreTooNewError(current, migrations.length);
    const applied: number[] = [];
    for (const m of migrations.slice(current)) {
      db.transaction(() => {
        db.exec(m.up);
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, now().toISOString());
      }).immediate();
      applied.push(m.version);
    }
    return applied;
  };
  return { db, migrate, version, close: () => db.close() };
}
