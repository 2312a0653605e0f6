/**
 * End-to-end ingest throughput and peak memory: split, parse, thread, series.
 *
 *   npx tsc -p . && node dist/bench/ingest-throughput.js [path.mbox]
 *
 * Without a path it benchmarks generated files of BENCH_MESSAGES messages (default
 * "100000,73500": 100k messages, and about 1 GB), made once in .bench-data/ by
 * generate-threaded-bench-mbox.ts (each pass over the corpus is a copy of its threads with
 * its own ids, like a real archive). BENCH_FILES=shared (or =both) also measures the shared
 * generator's file (generate-bench-mbox.ts: fresh Message-IDs but old In-Reply-To/References,
 * so every copy of a series answers the same absent cover: a worst case for assembly).
 *
 * Per file, each in its own process (one core, like the CI box) so its peak RSS is its own:
 * - floor: a raw split of the mbox at "\nFrom " lines;
 * - compact: ingest() with keep: 'compact' (batch: every series and a compact message per id held);
 * - stream: ingestStream() (series emitted as threads go quiet, BENCH_QUIET messages, default
 *   10,000; constant memory);
 * - full (BENCH_FULL=1): ingest() keeping whole messages and hunks.
 * Rates are given per CPU-second (user + system: the one-core figure on a shared machine) and
 * per wall second. RSS is sampled every 50 ms; the kernel's maxRSS is printed too.
 * BENCH_HEAP_MB=N runs the children with --max-old-space-size=N, to see how much of the peak
 * is V8's heap headroom rather than live data.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ingest, ingestStream, readSources } from '../src/ingest/ingest.js';
import { ensureBenchMbox } from './generate-bench-mbox.js';
import { ensureThreadedBenchMbox } from './generate-threaded-bench-mbox.js';

interface Figures {
  /** Largest V8 heap in use (live data plus garbage not yet collected) and external (Buffer) memory seen. */
  peakHeapMB?: number;
  peakExternalMB?: number;
  what: string;
  messages: number;
  seconds: number;
  /** CPU time of the process (user + system): the one-core figure when the machine is shared. */
  cpuSeconds: number;
  peakRssMB: number;
  maxRssMB: number;
  series?: number;
  accounting?: unknown;
}

/** Samples RSS every 50 ms; also the largest V8 heap (used) and external (Buffer) memory seen. */
function sampler(): { stop: () => number; heapMB: () => number; externalMB: () => number } {
  let peak = process.memoryUsage.rss();
  let heap = 0;
  let external = 0;
  const t = setInterval(() => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    heap = Math.max(heap, m.heapUsed);
    external = Math.max(external, m.external);
  }, 50);
  return {
    stop: () => {
      clearInterval(t);
      return Math.max(peak, process.memoryUsage.rss()) / 1e6;
    },
    heapMB: () => heap / 1e6,
    externalMB: () => external / 1e6,
  };
}

const cpuSince = (c0: NodeJS.CpuUsage): number => {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
};

function floor(path: string): Figures {
  const s = sampler();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  const needle = Buffer.from('\nFrom ');
  let messages = 0;
  let first = true;
  let tail = Buffer.alloc(0);
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    if (first && buf.subarray(0, 5).toString('latin1') === 'From ') messages++;
    first = false;
    const view = tail.length ? Buffer.concat([tail, buf.subarray(0, n)]) : buf.subarray(0, n);
    for (let i = view.indexOf(needle); i !== -1; i = view.indexOf(needle, i + 1)) messages++;
    tail = Buffer.from(view.subarray(Math.max(0, view.length - 5)));
  }
  closeSync(fd);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { what: 'raw split (floor)', messages, seconds, cpuSeconds: cpuSince(c0), peakRssMB: s.stop(), maxRssMB: process.resourceUsage().maxRSS / 1024 };
}

async function endToEnd(path: string, keep: 'compact' | 'full'): Promise<Figures> {
  const s = sampler();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const r = await ingest([path], { keep });
  const cpuSeconds = cpuSince(c0);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    what: `ingest keep=${keep}`,
    messages: r.messages,
    seconds,
    cpuSeconds,
    peakRssMB: s.stop(),
    peakHeapMB: s.heapMB(),
    peakExternalMB: s.externalMB(),
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    series: r.series.length,
    accounting: r.accounting,
  };
}

async function streaming(path: string): Promise<Figures> {
  const s = sampler();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const quietAfter = process.env.BENCH_QUIET ? Number(process.env.BENCH_QUIET) : undefined;
  let series = 0;
  const r = await ingestStream(readSources([path]), { quietAfter, onSeries: () => void series++ });
  const cpuSeconds = cpuSince(c0);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    what: 'ingestStream',
    messages: r.messages,
    seconds,
    cpuSeconds,
    peakRssMB: s.stop(),
    peakHeapMB: s.heapMB(),
    peakExternalMB: s.externalMB(),
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    series,
    accounting: { ...r.accounting, updates: r.updates, lateReplies: r.lateReplies, peakPendingThreads: r.peakPendingThreads, indexedMessages: r.indexedMessages },
  };
}

function show(f: Figures, bytes: number): string {
  const rate = (sec: number): string => Math.round(f.messages / sec).toLocaleString('en-US');
  return `  ${f.what.padEnd(20)} ${String(f.messages).padStart(8)} msgs  wall ${f.seconds.toFixed(2).padStart(7)} s ${rate(f.seconds).padStart(9)} msg/s  cpu ${f.cpuSeconds.toFixed(2).padStart(7)} s ${rate(f.cpuSeconds).padStart(9)} msg/cpu-s ${(bytes / 1e6 / f.cpuSeconds).toFixed(1).padStart(7)} MB/cpu-s  peak RSS ${f.peakRssMB.toFixed(0)} MB (maxRSS ${f.maxRssMB.toFixed(0)} MB${f.peakHeapMB !== undefined ? `, heap ${f.peakHeapMB.toFixed(0)} MB, external ${(f.peakExternalMB ?? 0).toFixed(0)} MB` : ''})${f.series !== undefined ? `  ${f.series} series` : ''}`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--run') {
    const [, which, path] = args as [string, string, string];
    const f = which === 'floor' ? floor(path) : which === 'stream' ? await streaming(path) : await endToEnd(path, which === 'full' ? 'full' : 'compact');
    process.stdout.write(`${JSON.stringify(f)}\n`);
    return;
  }
  const counts = (process.env.BENCH_MESSAGES ?? '100000,73500').split(',').map(Number);
  const pick = process.env.BENCH_FILES ?? 'threaded';
  const files: { label: string; path: string }[] = [];
  if (args[0]) files.push({ label: 'given', path: args[0] });
  else {
    for (const count of counts) {
      if (pick !== 'shared') files.push({ label: 'threaded copies (realistic)', path: await ensureThreadedBenchMbox(count) });
      if (pick !== 'threaded') files.push({ label: 'shared generator (all copies answer the same ids)', path: await ensureBenchMbox(count) });
    }
  }
  const self = fileURLToPath(import.meta.url);
  console.log(`ingest-throughput: node ${process.version}, one process per figure${process.env.BENCH_HEAP_MB ? `, --max-old-space-size=${process.env.BENCH_HEAP_MB}` : ''}`);
  for (const { label, path } of files) {
    const bytes = statSync(path).size;
    console.log(`${path} (${(bytes / 1e6).toFixed(0)} MB): ${label}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    const modes = ['floor', 'compact', 'stream', ...(process.env.BENCH_FULL === '1' ? ['full'] : [])];
    const results: Figures[] = [];
    for (const mode of modes) {
      const heap = process.env.BENCH_HEAP_MB ? [`--max-old-space-size=${process.env.BENCH_HEAP_MB}`] : [];
      const r = spawnSync(process.execPath, [...heap, self, '--run', mode, path], { encoding: 'utf8', maxBuffer: 1 << 24 });
      if (r.status !== 0) throw new Error(`${mode} failed: ${r.stderr}`);
      const f = JSON.parse(r.stdout.trim().split('\n').pop() as string) as Figures;
      results.push(f);
      console.log(show(f, bytes));
      if (f.accounting) console.log(`    accounting ${JSON.stringify(f.accounting)}`);
    }
    const [fl, ...ends] = results as [Figures, ...Figures[]];
    for (const e of ends) {
      const perCpu = e.messages / e.cpuSeconds;
      // The memory target is the streaming path's: batch ingest holds every series by design.
      const memory = e.what === 'ingestStream' ? ` (< 300 MB: ${e.peakRssMB < 300 ? 'met' : 'NOT met'})` : ' (holds every series)';
      console.log(`  ${e.what}: ${(e.cpuSeconds / fl.cpuSeconds).toFixed(0)}x the floor's CPU time; >= 5,000 msg/s on one core: ${perCpu >= 5000 ? 'met' : 'NOT met'} (${Math.round(perCpu)} msg/cpu-s); peak RSS ${e.peakRssMB.toFixed(0)} MB for ${(bytes / 1e9).toFixed(2)} GB${memory}`);
    }
    console.log(`  load average now: ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores (wall figures are only meaningful on an idle machine)`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
