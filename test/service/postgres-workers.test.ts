/**
 * PostgreSQL + graphile-worker: `bpf-review backfill --workers 2` on a store in a private
 * PostgreSQL 15 cluster: the ingest process plans one job per series, two worker processes
 * (`serve --role worker`) take them, and every series is reviewed exactly once, by either
 * worker. Also the PgServiceStore's own contract. Skipped without the Debian binaries or the build.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { PgServiceStore } from '../../src/store/pg-service-store.js';
import { reviewKey } from '../../src/store/service-store.js';
import { projectRoot } from '../support/shared-data.js';
import { postgresAvailable, startPostgres, type PostgresServer } from '../support/servers/postgres.js';
import { mboxEntry, seriesMails, testReviewModule } from './support/mail-stream.js';

const built = existsSync(join(projectRoot, 'dist', 'src', 'app', 'commands', 'backfill.js'));
const run = promisify(execFile);
const T = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));

describe.skipIf(!postgresAvailable())('PostgreSQL store and graphile-worker', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(() => server?.stop());

  it('PgServiceStore: batches with cursors, dedup, one review per key, series and findings', async () => {
    const store = new PgServiceStore(server.createDatabase('contract'));
    try {
      expect(await store.migrate()).toEqual([1, 2]);
      expect(await store.migrate()).toEqual([]);
      expect(await store.addMessages('lore', [{ messageId: 'a', origin: 'o1', raw: Buffer.from('A') }, { messageId: 'b', origin: 'o2', raw: Buffer.from('B') }], '1:abc', T)).toEqual(['a', 'b']);
      expect(await store.addMessages('lore', [{ messageId: 'b', origin: 'o3', raw: Buffer.from('B2') }, { messageId: 'c', origin: 'o4', raw: Buffer.from('C') }], '1:def', T)).toEqual(['c']);
      expect(await store.cursor('lore')).toBe('1:def');
      expect((await store.messagesByIds(['b'])).get('b')?.raw.toString()).toBe('B');
      const ids: string[] = [];
      for await (const m of store.messages(null)) ids.push(m.messageId);
      expect(ids).toEqual(['a', 'b', 'c']);
      const rec = { seriesId: 's', revision: 1, contentHash: 'h', reason: 'complete' as const, missing: [], reviewedAt: T, notRun: ['x'], errors: [], findings: [{ ruleId: 'r', severity: 'error' as const, patch: 1, messageId: 'a', file: 'f.c', line: 2, message: 'm', fingerprint: 'fp', quoted: ['+x'] }] };
      expect((await store.recordReview(rec)).recorded).toBe(true);
      expect((await store.recordReview(rec)).recorded).toBe(false);
      expect(await store.reviewedKeys()).toEqual(new Set([reviewKey('s', 1, 'h')]));
      expect((await store.reviews('s'))[0]).toMatchObject({ notRun: ['x'], findings: [{ quoted: ['+x'], line: 2 }] });
      expect(await store.findingsPerRuleDaily()).toEqual([{ day: '2024-01-02', ruleId: 'r', count: 1 }]);
      const row = { id: 's', subject: 'S', title: 'S', revision: 1, total: 1, author: null, state: 'reviewed' as const, missing: [], firstSeen: T, deadline: T, contentHash: 'h', previous: null, updatedAt: T };
      await store.saveSeries([row]);
      expect(await store.series('s')).toEqual(row);
      await store.setRoles([{ messageId: 'a', role: 'patch', seriesId: 's' }]);
      expect(await store.hasMessage('a')).toBe(true);
    } finally {
      await store.close();
    }
  });

  it.skipIf(!built)('two worker processes share the reviews; each series is reviewed once', { timeout: 180_000 }, async () => {
    const url = server.createDatabase('workers');
    const dir = mkdtempSync(join(tmpdir(), 'bpf-review-pgw-'));
    try {
      const SERIES = 30;
      for (let k = 0; k < SERIES; k++) appendFileSync(join(dir, 'list.mbox'), Buffer.concat(seriesMails(k, 1 + (k % 3)).map((m) => mboxEntry(m.bytes))));
      writeFileSync(join(dir, 'review.mjs'), testReviewModule(40));
      writeFileSync(join(dir, 'serve.yml'), [`store: { postgres: "${url}" }`, 'sources: [{ name: unused, kind: mbox, path: unused.mbox }]', 'pollMs: 100', 'review: { module: review.mjs }', 'log: { level: warn }', ''].join('\n'));
      const { stdout } = await run(process.execPath, [join(projectRoot, 'bin', 'bpf-review.js'), 'backfill', join(dir, 'list.mbox'), '--config', join(dir, 'serve.yml'), '--workers', '2', '--json'], { cwd: dir });
      const summary = JSON.parse(stdout) as { messages: number; series: number; reviews: number };
      expect(summary).toMatchObject({ series: SERIES, reviews: SERIES });
      const c = new pg.Client(url);
      await c.connect();
      try {
        const per = (await c.query('SELECT series_id, COUNT(*)::int AS n FROM reviews GROUP BY series_id')).rows as { n: number }[];
        expect(per).toHaveLength(SERIES);
        expect(per.every((r) => r.n === 1)).toBe(true);
        const workers = (await c.query('SELECT worker, COUNT(*)::int AS n FROM reviews GROUP BY worker')).rows as { worker: string; n: number }[];
        expect(workers).toHaveLength(2); // both processes took a share
        expect(workers.every((w) => w.n > 0 && !w.worker.endsWith(`:${process.pid}`))).toBe(true);
        const left = (await c.query('SELECT COUNT(*)::int AS n FROM graphile_worker.jobs')).rows[0] as { n: number };
        expect(left.n).toBe(0);
        expect(((await c.query('SELECT COUNT(*)::int AS n FROM messages')).rows[0] as { n: number }).n).toBe(summary.messages);
      } finally {
        await c.end();
      }
      // run again: nothing new to read, nothing reviewed twice
      const again = JSON.parse((await run(process.execPath, [join(projectRoot, 'bin', 'bpf-review.js'), 'backfill', join(dir, 'list.mbox'), '--config', join(dir, 'serve.yml'), '--workers', '1', '--json'], { cwd: dir })).stdout) as { stored: number; reviews: number };
      expect(again).toMatchObject({ stored: 0, reviews: SERIES });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
