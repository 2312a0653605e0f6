/** Timing processes (wall, CPU, peak RSS), series of timings, and checking a review's JSON. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Timed {
  ms: number;
  /** user + system CPU of the process and the processes it waited for (git), when /usr/bin/time is there */
  cpuMs?: number;
  maxRssKB?: number;
  stdout: string;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Run a command under /usr/bin/time (peak RSS) when present; wall time measured here. */
export function runTimed(cmd: string, args: string[], cwd: string, okCodes: number[]): Timed {
  const useTime = existsSync('/usr/bin/time');
  const rssFile = join(tmpdir(), `bench-rss-${process.pid}`);
  const [c, a] = useTime ? ['/usr/bin/time', ['-f', '%M %U %S', '-o', rssFile, cmd, ...args]] : [cmd, args];
  const t0 = performance.now();
  const r = spawnSync(c, a, { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = performance.now() - t0;
  if (r.status === null || !okCodes.includes(r.status)) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  let maxRssKB: number | undefined;
  let cpuMs: number | undefined;
  if (useTime) {
    const [rss, user, sys] = (readFileSync(rssFile, 'utf8').trim().split('\n').pop() ?? '').split(' ').map(Number);
    maxRssKB = rss;
    cpuMs = ((user ?? 0) + (sys ?? 0)) * 1000;
    rmSync(rssFile, { force: true });
  }
  return { ms, cpuMs, maxRssKB, stdout: r.stdout };
}

export interface Series {
  label: string;
  times: number[];
  cpu: number[];
  rssKB: number[];
}

export function record(s: Series, t: Timed): void {
  s.times.push(t.ms);
  if (t.cpuMs !== undefined) s.cpu.push(t.cpuMs);
  if (t.maxRssKB) s.rssKB.push(t.maxRssKB);
}

export function fmtSeries(s: Series): string {
  const rss = s.rssKB.length ? `, peak RSS ${Math.round(median(s.rssKB) / 1024)} MB` : '';
  const cpu = s.cpu.length ? `; CPU median ${median(s.cpu).toFixed(0)} ms` : '';
  return `${s.label}\n    wall median ${median(s.times).toFixed(0).padStart(5)} ms, min ${Math.min(...s.times).toFixed(0).padStart(5)} ms (${s.times.map((t) => t.toFixed(0)).join(' ')})${cpu}${rss}`;
}

export interface ReviewJson {
  errors: { code: string; message: string }[];
  totals: { error: number; warning: number; info: number };
  series: { findings: { ruleId: string; severity: string }[]; notRun: string[]; notes: string[] }[];
}

export function checkReview(json: ReviewJson): void {
  const bad = json.errors.filter((e) => e.code === 'patch-does-not-apply');
  if (bad.length) throw new Error(`the generated series does not apply: ${bad.map((e) => e.message).join('; ')}`);
  if (json.series.length !== 1) throw new Error(`expected one series in the review, got ${json.series.length}`);
  if (json.series[0]?.notRun.some((n) => /diff-only/.test(n))) throw new Error(`the review ran in diff-only mode: ${json.series[0]?.notRun.join('; ')}`);
}

/** Totals from checkpatch's "total: E errors, W warnings, C checks" lines. */
export function checkpatchTotals(out: string): { errors: number; warnings: number; checks: number } {
  const t = { errors: 0, warnings: 0, checks: 0 };
  for (const m of out.matchAll(/^total: (\d+) errors, (\d+) warnings, (?:(\d+) checks, )?\d+ lines checked/gm)) {
    t.errors += Number(m[1]);
    t.warnings += Number(m[2]);
    t.checks += Number(m[3] ?? 0);
  }
  return t;
}
