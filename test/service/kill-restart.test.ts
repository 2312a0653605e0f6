/**
 * Kill -9 proof: the real daemon (`node bin/bpf-review.js serve --config ...`) follows an mbox
 * the test appends a stream of patch series to, and mails through a real SMTP server that, like
 * the list, appends what it accepts to the archive the daemon follows. The test SIGKILLs the
 * daemon at random points many times while the stream arrives, restarts it each time, lets it
 * finish, and checks: every message in the store exactly once, every series reviewed exactly
 * once, and every expected reply at the SMTP server exactly once (by Message-ID).
 *
 * Needs the build (`npx tsc -p .`, which `npm ci` runs through `prepare`): skipped without it.
 */
import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { projectRoot } from '../support/shared-data.js';
import { startListSmtpServer } from './support/list-smtp-server.js';
import { mboxEntry, seriesMails, TEST_REVIEW_MODULE, type StreamMail } from './support/mail-stream.js';

const built = existsSync(join(projectRoot, 'dist', 'src', 'app', 'serve.js'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A seeded PRNG (mulberry32), so a failing run can be repeated with its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe.skipIf(!built)('kill -9 at random points, restart: nothing lost, nothing sent twice', () => {
  it('survives 25 SIGKILLs over a stream of 40 series', { timeout: 240_000 }, async () => {
    const seed = Number(process.env.KILL_SEED ?? Date.now() % 100_000);
    const rand = rng(seed);
    const dir = mkdtempSync(join(tmpdir(), 'bpf-review-kill-'));
    const mbox = join(dir, 'list.mbox');
    const appendMail = (raw: Buffer): void => appendFileSync(mbox, mboxEntry(raw));
    const smtp = await startListSmtpServer(appendMail);
    let child: ChildProcess | null = null;
    try {
      writeFileSync(join(dir, 'review.mjs'), TEST_REVIEW_MODULE);
      writeFileSync(
        join(dir, 'serve.yml'),
        [
          'store: { sqlite: store.sqlite }',
          'sources: [{ name: list, kind: mbox, path: list.mbox }]',
          'pollMs: 20',
          'batchSize: 3',
          'completion: { waitMinutes: 60 }',
          'review: { module: review.mjs }',
          'mail:',
          '  send: true',
          '  from: { name: bpf-review, address: bot@review.example }',
          '  messageIdDomain: review.example',
          `  smtp: { host: 127.0.0.1, port: ${smtp.port}, ignoreTLS: true, attempts: 2, backoffMs: 10, timeoutMs: 5000 }`,
          '  lists:',
          '    bpf@vger.kernel.org: { mode: author+list, maxPerHour: 100000 }',
          'http: false',
          'log: { level: warn }',
          '',
        ].join('\n'),
      );
      const stream: StreamMail[] = [];
      for (let k = 0; k < 40; k++) stream.push(...seriesMails(k, 1 + (k % 3)));
      const expectedReplies = stream.filter((m) => m.counter > 0).length;
      const exits: (number | string | null)[] = [];
      const start = (): ChildProcess => {
        const c = spawn(process.execPath, [join(projectRoot, 'bin', 'bpf-review.js'), 'serve', '--config', join(dir, 'serve.yml')], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
        c.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
        return c;
      };
      let stderr = '';
      const kill = async (c: ChildProcess, sig: NodeJS.Signals): Promise<void> => {
        const done = new Promise<void>((r) => c.once('exit', (code, signal) => (exits.push(signal ?? code), r())));
        if (c.exitCode === null && c.signalCode === null) c.kill(sig);
        else exits.push(c.signalCode ?? c.exitCode);
        await done.catch(() => undefined);
      };

      // the stream arrives in random slices while the daemon is killed at random points
      let fed = 0;
      const KILLS = 25;
      for (let i = 0; i < KILLS; i++) {
        child = start();
        const slice = Math.ceil((stream.length - fed) / (KILLS - i) + rand() * 3);
        for (const m of stream.slice(fed, fed + slice)) appendMail(m.bytes);
        fed = Math.min(stream.length, fed + slice);
        await sleep(80 + rand() * 900);
        await kill(child, 'SIGKILL');
        child = null;
      }
      for (const m of stream.slice(fed)) appendMail(m.bytes);

      // a last run, left to finish
      child = start();
      const deadline = Date.now() + 60_000;
      while (new Set(smtp.received.map((r) => r.messageId)).size < expectedReplies && Date.now() < deadline) await sleep(100);
      await sleep(500); // let it record the last 'sent'
      await kill(child, 'SIGTERM');
      child = null;
      expect(exits.filter((e) => e === 'SIGKILL').length, `seed ${seed}; stderr: ${stderr.slice(-2000)}`).toBeGreaterThanOrEqual(20);

      const db = new Database(join(dir, 'store.sqlite'), { readonly: true });
      try {
        // every message exactly once: the fed stream plus the replies the list echoed back
        const stored = (db.prepare('SELECT message_id FROM messages').all() as { message_id: string }[]).map((r) => r.message_id);
        expect(new Set(stored).size).toBe(stored.length);
        const want = new Set([...stream.map((m) => m.messageId), ...smtp.received.map((r) => r.messageId!)]);
        expect(new Set(stored), `seed ${seed}`).toEqual(want);
        // every series reviewed exactly once
        const reviews = db.prepare('SELECT series_id, COUNT(*) AS n FROM reviews GROUP BY series_id').all() as { series_id: string; n: number }[];
        expect(reviews.length, `seed ${seed}`).toBe(40);
        expect(reviews.every((r) => r.n === 1), `seed ${seed}`).toBe(true);
        // every reply recorded sent, none failed
        const states = db.prepare('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state').all();
        expect(states, `seed ${seed}`).toEqual([{ state: 'sent', n: expectedReplies }]);
      } finally {
        db.close();
      }
      // the SMTP server's inbox: every expected reply exactly once, one per patch
      const ids = smtp.received.map((r) => r.messageId);
      expect(ids.length, `seed ${seed}: duplicates ${ids.length - new Set(ids).size}`).toBe(expectedReplies);
      expect(new Set(ids).size).toBe(expectedReplies);
      const answered = smtp.received.map((r) => /^In-Reply-To:\s*<([^>]+)>/im.exec(r.raw.toString('utf8'))?.[1]).sort();
      expect(answered).toEqual(stream.filter((m) => m.counter > 0).map((m) => m.messageId).sort());
    } finally {
      if (child && child.exitCode === null) child.kill('SIGKILL');
      await smtp.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
