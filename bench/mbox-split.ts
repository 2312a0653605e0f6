/**
 * mbox splitting throughput and memory.
 *
 *   npx tsc -p . && node dist/bench/mbox-split.js [path.mbox]
 *
 * Without a path, generates (once) .bench-data/bench-N.mbox from corpus messages with fresh
 * Message-IDs, N = BENCH_MESSAGES (default 100000). Measures, each in its own process so peak RSS
 * is its own: (1) the raw floor, a plain read loop counting `\nFrom ` with Buffer.indexOf;
 * (2) readMboxFile/splitMbox yielding every message as its own Buffer, mboxrd-unescaped.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readMboxFile } from '../src/ingest/sources/read-mbox-file.js';
import { ensureBenchMbox } from './generate-bench-mbox.js';

interface Figures {
  what: string;
  messages: number;
  bytes: number;
  seconds: number;
  maxRssMB: number;
}

function naive(path: string): Figures {
  const t0 = process.hrtime.bigint();
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  const needle = Buffer.from('\nFrom ');
  let messages = 0;
  let bytes = 0;
  let first = true;
  let tail = Buffer.alloc(0); // last 5 bytes, for a needle across reads
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    if (first && buf.subarray(0, 5).toString('latin1') === 'From ') messages += 1;
    first = false;
    const view = tail.length ? Buffer.concat([tail, buf.subarray(0, n)]) : buf.subarray(0, n);
    let i = view.indexOf(needle);
    while (i !== -1) {
      messages += 1;
      i = view.indexOf(needle, i + 1);
    }
    tail = Buffer.from(view.subarray(Math.max(0, view.length - 5)));
    bytes += n;
  }
  closeSync(fd);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { what: 'naive split (floor)', messages, bytes, seconds, maxRssMB: process.resourceUsage().maxRSS / 1024 };
}

async function split(path: string): Promise<Figures> {
  const t0 = process.hrtime.bigint();
  let messages = 0;
  let msgBytes = 0;
  for await (const m of readMboxFile(path)) {
    messages += 1;
    msgBytes += m.bytes.length;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (msgBytes === 0 && messages > 0) throw new Error('no bytes');
  return { what: 'splitMbox (mboxrd)', messages, bytes: statSync(path).size, seconds, maxRssMB: process.resourceUsage().maxRSS / 1024 };
}

function show(f: Figures): string {
  const mb = f.bytes / 1e6;
  return `${f.what.padEnd(22)} ${String(f.messages).padStart(9)} msgs  ${f.seconds.toFixed(2).padStart(7)} s  ${Math.round(f.messages / f.seconds).toLocaleString('en-US').padStart(11)} msg/s  ${(mb / f.seconds).toFixed(0).padStart(6)} MB/s  peak RSS ${f.maxRssMB.toFixed(0)} MB`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--run') {
    const [, which, path] = args;
    const f = which === 'naive' ? naive(path!) : await split(path!);
    process.stdout.write(`${JSON.stringify(f)}\n`);
    return;
  }
  const count = Number(process.env.BENCH_MESSAGES ?? 100_000);
  const path = args[0] ?? (await ensureBenchMbox(count));
  const size = statSync(path).size;
  console.log(`mbox-split: ${path} (${(size / 1e6).toFixed(0)} MB), node ${process.version}`);
  const self = fileURLToPath(import.meta.url);
  const results: Figures[] = [];
  for (const which of ['naive', 'split']) {
    const r = spawnSync(process.execPath, [self, '--run', which, path], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`${which} failed: ${r.stderr}`);
    const f = JSON.parse(r.stdout.trim().split('\n').pop()!) as Figures;
    results.push(f);
    console.log(show(f));
  }
  const [floor, ours] = results as [Figures, Figures];
  console.log(`splitMbox / floor: ${(floor.seconds / ours.seconds).toFixed(2)} of the floor's speed (${(ours.seconds / floor.seconds).toFixed(1)}x the time)`);
  if (floor.messages !== ours.messages) console.log(`note: counts differ (naive ${floor.messages}, splitMbox ${ours.messages}): the naive count also splits at body lines starting with "From "`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
