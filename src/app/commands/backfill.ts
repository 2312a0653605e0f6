/**
 * `bpf-review backfill <archive> --config FILE [--workers N]`: read a public-inbox v2 archive or
 * an mbox into the store and review every series in it (nothing is mailed: old mail is not
 * answered). Resumable: the archive's cursor is stored with the messages, so a second run reads
 * only what is new and reviews only what has no review. Progress on stderr: a bar on a
 * terminal, a plain line every few seconds otherwise. With store.postgres, `--workers N` starts
 * N worker processes (`serve --role worker`) that share the reviews through graphile-worker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, type Command } from 'commander';
import { InputError, SourceUnreadableError } from '../../model/errors.js';
import { detectSourceKind } from '../../ingest/sources/open-source.js';
import { findEpochs } from '../../ingest/sources/read-public-inbox-v2.js';
import { runGit } from '../../kernel/kernel-tree.js';
import { loadServeConfig, type ServeConfig } from '../config.js';
import { startService } from '../serve.js';
import type { Progress } from '../../service/daemon.js';

export interface BackfillSummary {
  messages: number;
  stored: number;
  series: number;
  reviews: number;
  /** Until every series was reviewed. */
  seconds: number;
  /** Messages per second over the whole run (until every series was reviewed). */
  messagesPerSecond: number;
  /** Until the last message was stored. */
  ingestSeconds: number;
  /** Messages per second read, parsed and stored (the ingest alone). */
  ingestPerSecond: number;
  peakRssMb: number;
  workerPeakRssMb: number[];
}

/** How many messages a public-inbox archive holds (commits over all epochs); null for mbox. */
async function totalOf(path: string, kind: string): Promise<number | null> {
  if (kind !== 'public-inbox') return null;
  let n = 0;
  for (const ep of await findEpochs(path)) {
    const r = await runGit(['--git-dir', ep.gitDir, 'rev-list', '--count', 'HEAD']);
    if (r.code === 0) n += Number(r.stdout.toString().trim()) || 0;
  }
  return n;
}

/** A progress reporter on stderr: a redrawn bar on a TTY, plain lines every `everyMs` otherwise. */
export function progressReporter(out: NodeJS.WriteStream | { isTTY?: boolean; write(s: string): boolean }, total: number | null, started: number, everyMs = 5000) {
  let last = 0;
  const tty = out.isTTY === true;
  return {
    update(p: Progress, force = false): void {
      const now = Date.now();
      if (!force && now - last < (tty ? 100 : everyMs)) return;
      last = now;
      const secs = Math.max(0.001, (now - started) / 1000);
      let line: string;
      if (p.phase === 'ingest') {
        const rate = Math.round(p.read / secs);
        if (total) {
          const frac = Math.min(1, p.read / total);
          const w = 30;
          const bar = '#'.repeat(Math.round(frac * w)).padEnd(w, '.');
          line = `ingest [${bar}] ${p.read}/${total} messages (${p.stored} new) ${rate}/s`;
        } else line = `ingest ${p.read} messages (${p.stored} new) ${rate}/s`;
      } else line = `review ${p.done} series reviewed${p.queued > p.done ? ` of ${p.queued}` : ''}`;
      out.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
    },
    end(): void {
      if (tty) out.write('\n');
    },
  };
}

function peakRssMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

export async function backfill(archive: string, configFile: string, opts: { workers?: number; stderr?: NodeJS.WriteStream } = {}): Promise<BackfillSummary> {
  const base = loadServeConfig(configFile);
  const path = resolve(archive);
  const kind = detectSourceKind(path);
  if (kind !== 'public-inbox' && kind !== 'mbox') throw new SourceUnreadableError(`${archive}: backfill reads a public-inbox v2 archive or an mbox file, not ${kind}`, archive);
  const name = `backfill-${basename(path).replace(/[^\w.-]/g, '_')}`;
  const config: ServeConfig = { ...base, sources: [{ name, kind, path }], http: null };
  const pg = 'postgres' in config.store && !!config.store.postgres;
  const workers = opts.workers ?? (pg ? 1 : 0);
  const err = opts.stderr ?? process.stderr;
  const started = Date.now();
  const total = await totalOf(path, kind);
  const bar = progressReporter(err, total, started);
  let last: Progress = { phase: 'ingest', source: name, stored: 0, read: 0 };
  let ingestEnd = started;
  const svc = await startService(config, {
    role: pg ? 'ingest' : 'all',
    waitMs: 0,
    mailReplies: false,
    autostart: false,
    progress: (p) => {
      if (p.phase === 'ingest') {
        last = p;
        ingestEnd = Date.now();
      }
      bar.update(p);
    },
  });
  const children: ChildProcess[] = [];
  const childPeaks = new Map<number, number>();
  try {
    if (pg) {
      const bin = fileURLToPath(new URL('../../../../bin/bpf-review.js', import.meta.url));
      for (let i = 0; i < workers; i++) {
        children.push(spawn(process.execPath, [bin, 'serve', '--config', resolve(configFile), '--role', 'worker'], { stdio: ['ignore', 'ignore', 'inherit'] }));
      }
    }
    await svc.daemon.tick();
    bar.update(last, true);
    if (svc.queue) {
      // the workers take the jobs; wait until none is left
      for (;;) {
        for (const c of children) if (c.pid) childPeaks.set(c.pid, Math.max(childPeaks.get(c.pid) ?? 0, peakRssMb(c.pid)));
        const left = await svc.queue.refreshDepth();
        bar.update({ phase: 'review', done: await svc.store.reviewCount(), queued: svc.daemon.status.series });
        if (left === 0) break;
        if (children.length > 0 && children.every((c) => c.exitCode !== null)) throw new Error('every review worker exited');
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    bar.end();
    const seconds = (Date.now() - started) / 1000;
    return {
      messages: last.read,
      stored: last.stored,
      series: svc.daemon.status.series,
      reviews: await svc.store.reviewCount(),
      seconds,
      messagesPerSecond: Math.round(last.read / seconds),
      ingestSeconds: (ingestEnd - started) / 1000,
      ingestPerSecond: Math.round(last.read / Math.max(0.001, (ingestEnd - started) / 1000)),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      workerPeakRssMb: [...childPeaks.values()],
    };
  } finally {
    for (const c of children) {
      if (c.exitCode === null) {
        const done = new Promise((r) => c.once('exit', r));
        c.kill('SIGTERM');
        await done;
      }
    }
    await svc.stop();
  }
}

export function register(program: Command): void {
  program
    .command('backfill')
    .description('read a public-inbox archive or mbox into the store and review every series in it (nothing is mailed)')
    .argument('<archive>', 'a public-inbox v2 archive folder or an mbox file')
    .requiredOption('-c, --config <file>', 'YAML configuration (the store and review settings; see examples/serve.yml)')
    .option('-w, --workers <n>', 'with store.postgres: review worker processes to start (default 1; 0 waits for workers started elsewhere)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 64) throw new InvalidArgumentError('an integer 0..64');
      return n;
    })
    .option('--json', 'print the summary as JSON')
    .action(async (archive: string, opts: { config: string; workers?: number; json?: boolean }) => {
      try {
        statSync(archive);
        const s = await backfill(archive, opts.config, opts.workers !== undefined ? { workers: opts.workers } : {});
        process.stdout.write(
          opts.json
            ? `${JSON.stringify(s)}\n`
            : `${s.messages} messages read (${s.stored} new), ${s.series} series, ${s.reviews} reviews in the store; ingest ${s.ingestSeconds.toFixed(1)} s (${s.ingestPerSecond} messages/s), every series reviewed after ${s.seconds.toFixed(1)} s (${s.messagesPerSecond} messages/s), peak RSS ${s.peakRssMb} MB${s.workerPeakRssMb.length > 0 ? `, workers ${s.workerPeakRssMb.join(' / ')} MB` : ''}\n`,
        );
      } catch (err) {
        if (err instanceof InputError || (err as NodeJS.ErrnoException).code === 'ENOENT') {
          process.stderr.write(`bpf-review backfill: ${(err as Error).message}\n`);
          process.exit(2);
        }
        throw err;
      }
    });
}
