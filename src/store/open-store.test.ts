import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, StoreTooNewError, MIGRATIONS, Outbox, type Migration } from './index.js';

describe('openStore / migrate', () => {
  it('applies the numbered migrations once, records them, and is a no-op the second time', () => {
    const s = openStore(':memory:', { now: () => new Date(Date.UTC(2024, 0, 1)) });
    expect(s.version()).toBe(0);
    expect(s.migrate()).toEqual(MIGRATIONS.map((m) => m.version));
    expect(s.migrate()).toEqual([]);
    const rows = s.db.prepare('SELECT version, name, applied_at FROM schema_migrations').all();
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name, applied_at: '2024-01-01T00:00:00.000Z' })));
    s.close();
  });

  it('applies only the new migrations when a later version adds one, keeping the data', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpf-review-store-'));
    try {
      const path = join(dir, 's.sqlite');
      const a = openStore(path);
      a.migrate();
      new Outbox(a).enqueue({ messageId: 'm@x', seriesId: 's', patch: 1, channel: 'smtp', payload: Buffer.from('x'), recipients: ['a@b'] });
      a.close();
      const next: Migration = { version: MIGRATIONS.length + 1, name: 'extra', up: 'CREATE TABLE extra (id TEXT PRIMARY KEY)' };
      const b = openStore(path, { migrations: [...MIGRATIONS, next] });
      expect(b.migrate()).toEqual([MIGRATIONS.length + 1]);
      expect(new Outbox(b).get('m@x')?.state).toBe('pending');
      b.close();
      // an older program refuses a newer database instead of guessing
      const c = openStore(path);
      expect(() => c.migrate()).toThrow(StoreTooNewError);
      c.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rolls a failing migration back as a whole', () => {
    const bad: Migration = { version: MIGRATIONS.length + 1, name: 'bad', up: 'CREATE TABLE t (x INTEGER); INSERT INTO nowhere VALUES (1);' };
    const s = openStore(':memory:', { migrations: [...MIGRATIONS, bad] });
    expect(() => s.migrate()).toThrow();
    expect(s.version()).toBe(MIGRATIONS.length);
    expect(s.db.prepare("SELECT name FROM sqlite_master WHERE name = 't'").get()).toBeUndefined();
    s.close();
  });

  it('rejects migrations with gaps in their numbering', () => {
    expect(() => openStore(':memory:', { migrations: [{ version: 2, name: 'x', up: '' }] })).toThrow(/expected 1/);
  });
});
