import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { backfill, progressReporter } from '../../src/app/commands/backfill.js';
import { mboxEntry, seriesMails, TEST_REVIEW_MODULE } from './support/mail-stream.js';

function sink(isTTY: boolean) {
  const lines: string[] = [];
  return { isTTY, lines, write: (s: string): boolean => (lines.push(s), true) };
}

describe('backfill (SQLite)', () => {
  it('stores an mbox, reviews every series (complete or not), mails nothing, and resumes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpf-review-backfill-'));
    try {
      const mbox = join(dir, 'archive.mbox');
      for (let k = 0; k < 6; k++) appendFileSync(mbox, Buffer.concat(seriesMails(k, 2).filter((m) => !(k === 5 && m.counter === 2)).map((m) => mboxEntry(m.bytes))));
      writeFileSync(join(dir, 'review.mjs'), TEST_REVIEW_MODULE);
      writeFileSync(
        join(dir, 'cfg.yml'),
        ['store: { sqlite: s.sqlite }', 'sources: [{ name: live, kind: mbox, path: live.mbox }]', 'review: { module: review.mjs }', 'mail: { send: true, smtp: { host: 127.0.0.1, port: 9 }, lists: { bpf@vger.kernel.org: { mode: author+list } } }', 'log: { level: silent }', ''].join('\n'),
      );
      const err = sink(false);
      const s = await backfill(mbox, join(dir, 'cfg.yml'), { stderr: err as unknown as NodeJS.WriteStream });
      expect(s).toMatchObject({ messages: 17, stored: 17, series: 6, reviews: 6 });
      expect(s.peakRssMb).toBeGreaterThan(0);
      expect(err.lines.some((l) => /^ingest 17 messages \(17 new\)/.test(l))).toBe(true);
      const db = new Database(join(dir, 's.sqlite'), { readonly: true });
      expect(db.prepare('SELECT COUNT(*) AS n FROM outbox').get()).toEqual({ n: 0 }); // old mail is not answered
      expect(db.prepare("SELECT reason, missing FROM reviews WHERE series_id = 's5-v1-p0@example.org'").get()).toEqual({ reason: 'deadline', missing: '[2]' });
      db.close();
      // a second run reads only what is new and reviews only what changed
      appendFileSync(mbox, mboxEntry(seriesMails(5, 2)[2]!.bytes));
      const again = await backfill(mbox, join(dir, 'cfg.yml'), { stderr: sink(false) as unknown as NodeJS.WriteStream });
      expect(again).toMatchObject({ messages: 1, stored: 1, reviews: 7 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('draws a bar on a terminal and plain lines elsewhere', () => {
    const tty = sink(true);
    const p = progressReporter(tty, 200, Date.now() - 1000);
    p.update({ phase: 'ingest', source: 'x', read: 50, stored: 40 }, true);
    p.end();
    expect(tty.lines[0]).toMatch(/^\r\x1b\[K+ingest \[#{8}\.{22}\] 50\/200 messages \(40 new\) \d+\/s$/);
    expect(tty.lines[1]).toBe('\n');
    const plain = sink(false);
    const q = progressReporter(plain, null, Date.now(), 60_000);
    q.update({ phase: 'ingest', source: 'x', read: 1, stored: 1 });
    q.update({ phase: 'ingest', source: 'x', read: 2, stored: 2 }); // within the interval: not printed
    q.update({ phase: 'review', done: 3, queued: 5 }, true);
    expect(plain.lines).toEqual([expect.stringMatching(/^ingest 1 messages \(1 new\) \d+\/s\n$/), 'review 3 series reviewed of 5\n']);
  });
});
