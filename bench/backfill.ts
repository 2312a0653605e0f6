/**
 * Backfill: a public-inbox v2 archive of BENCH_MESSAGES messages (default 50,000: series of a
 * cover letter and three patches, written as public-inbox lays an epoch out: one commit per
 * message, blob "m", with git fast-import; cached in .bench-data/) read into the store with
 * every series reviewed, on PostgreSQL (a private PostgreSQL 15 cluster) with 1 and with 2
 * review worker processes (graphile-worker). Each run is the real CLI in its own process:
 *
 *   bpf-review backfill <archive> --config <pg.yml> --workers N --json
 *
 *   npx tsc -p . && node dist/bench/backfill.js
 *
 * Printed per run: messages/s over the ingest (read, parse, store with cursor), wall time until
 * the last series is reviewed, series and reviews, and the peak RSS of the ingest process and of
 * each worker. BENCH_REVIEW=pipeline reviews with the real pipeline (diff-only, no kernel tree);
 * the default, test, uses the deterministic test reviewer (one finding per patch), so the figure
 * is the service's. BENCH_SQLITE=1 adds a run on SQLite (reviews in the same process).
 */
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { postgresAvailable, startPostgres } from '../test/support/servers/postgres.js';
import { seriesMails, testReviewModule } from '../test/service/support/mail-stream.js';
import type { BackfillSummary } from '../src/app/commands/backfill.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 50_000);
const REVIEW = process.env.BENCH_REVIEW ?? 'test';

/** A public-inbox v2 archive (epoch 0) with `count` messages, made once. */
async function ensureArchive(count: number): Promise<string> {
  const dir = join(root, '.bench-data', `backfill-inbox-${count}`);
  if (existsSync(join(dir, 'git', '0.git', 'refs'))) return dir;
  const tmp = `${dir}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'git'), { recursive: true });
  const gitDir = join(tmp, 'git', '0.git');
  execFileSync('git', ['init', '--bare', '-q', '-b', 'master', gitDir]);
  const fi = spawn('git', [`--git-dir=${gitDir}`, 'fast-import', '--quiet'], { stdio: ['pipe', 'inherit', 'inherit'] });
  const done = new Promise<number | null>((r) => fi.on('close', r));
  const write = async (b: Buffer): Promise<void> => {
    if (!fi.stdin.write(b)) await new Promise<void>((r) => fi.stdin.once('drain', () => r()));
  };
  let n = 0;
  for (let k = 0; n < count; k++) {
    for (const m of seriesMails(k, 3)) {
      if (n >= count) break;
      const msg = `message ${n}`;
      await write(Buffer.from(`commit refs/heads/master\ncommitter A U Thor <a@example.com> ${1_700_000_000 + n} +0000\ndata ${msg.length}\n${msg}\ndeleteall\nM 100644 inline m\ndata ${m.bytes.length}\n`));
      await write(m.bytes);
      await write(Buffer.from('\n'));
      n++;
    }
  }
  fi.stdin.end();
  if ((await done) !== 0) throw new Error('git fast-import failed');
  renameSync(tmp, dir);
  return dir;
}

type Summary = BackfillSummary;

function runBackfill(archive: string, config: string, workers: number | null): Summary & { wall: number } {
  const t0 = Date.now();
  const args = [join(root, 'bin', 'bpf-review.js'), 'backfill', archive, '--config', config, '--json', ...(workers === null ? [] : ['--workers', String(workers)])];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`backfill exited ${r.status}`);
  return { ...(JSON.parse(r.stdout) as Summary), wall: (Date.now() - t0) / 1000 };
}

function print(label: string, s: Summary & { wall: number }): void {
  console.log(
    `${label}: ${s.messages} messages, ${s.series} series, ${s.reviews} reviews; ingest ${s.ingestPerSecond} messages/s (${s.ingestSeconds.toFixed(1)} s); ` +
      `every series reviewed after ${s.seconds.toFixed(1)} s: ${s.messagesPerSecond} messages/s end to end; ` +
      `peak RSS ingest ${s.peakRssMb} MB${s.workerPeakRssMb.length > 0 ? `, workers ${s.workerPeakRssMb.join(' / ')} MB` : ''}`,
  );
}

const archive = await ensureArchive(MESSAGES);
console.log(`archive: ${archive} (${MESSAGES} messages), review: ${REVIEW}`);
const work = mkdtempSync(join(tmpdir(), 'bpf-review-bench-backfill-'));
try {
  const reviewLine = REVIEW === 'pipeline' ? 'review: { module: null }' : 'review: { module: review.mjs }';
  writeFileSync(join(work, 'review.mjs'), testReviewModule(0));
  if (process.env.BENCH_SQLITE === '1') {
    writeFileSync(join(work, 'sqlite.yml'), ['store: { sqlite: bench.sqlite }', 'sources: [{ name: x, kind: mbox, path: x.mbox }]', 'batchSize: 500', reviewLine, 'log: { level: warn }', ''].join('\n'));
    print('sqlite, in process', runBackfill(archive, join(work, 'sqlite.yml'), null));
  }
  if (!postgresAvailable()) {
    console.log('postgres: skipped (postgresql 15 is not installed)');
  } else {
    const pg = await startPostgres();
    try {
      for (const workers of [1, 2]) {
        const url = pg.createDatabase(`bench_w${workers}`);
        const cfg = join(work, `pg${workers}.yml`);
        writeFileSync(cfg, [`store: { postgres: "${url}" }`, 'sources: [{ name: x, kind: mbox, path: x.mbox }]', 'batchSize: 500', 'pollMs: 200', reviewLine, 'log: { level: warn }', ''].join('\n'));
        print(`postgres, ${workers} worker${workers > 1 ? 's' : ''}`, runBackfill(archive, cfg, workers));
      }
    } finally {
      pg.stop();
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
