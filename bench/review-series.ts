/**
 * Benchmark: the whole review of a 13-patch BPF series against a real kernel tree, beside
 * scripts/checkpatch.pl of the same tree over the same patches (the check every kernel developer
 * already runs). Target: the full review of the series under 1 s, and faster than checkpatch.
 *
 *   npx tsc -p . && node dist/bench/review-series.js [--tree BAREGITDIR] [--runs N] [--keep]
 *
 * --tree: a kernel git repository (a fetched bare mirror); default the 6.3.8 mirror in
 * /work/.mirror when present, else the shipped example tree (a plain directory, put into a temp
 * repository first). --runs: measurements of each kind (default 5). --keep: leave the temp dir.
 *
 * What it does, all in a temp dir that is removed at the end (nothing is committed anywhere):
 *  1. builds a 13-patch series that applies to the tree: a `git clone --shared --no-checkout`
 *     of the repository with a sparse checkout of only the BPF directories edited, 13 commits of
 *     text written here (a KF_* flag, kfuncs and BTF_ID_FLAGS lines, a bpf_reg_state member,
 *     verifier checks and reworded messages, UAPI headers and their tools/ copy, libbpf, graph
 *     selftests and a prog_tests file; 1 to ~280 changed lines a patch, ~1,350 in all), then
 *     `git format-patch --cover-letter --thread --base=HEAD -13`; the review must find no
 *     patch-does-not-apply error, or the benchmark fails;
 *  2. measures, each --runs times: `bpf-review review MBOX --tree TREE --format json` as a
 *     process, cold (no cache: full extraction of the base tree) and warm (--cache DIR primed by
 *     one run); reviewSources() in this process with the primed disk cache; the daemon's case
 *     (tree opened once, parser loaded, facts of the base in memory: ingest + reviewSeries);
 *     and checkpatch.pl of the same tree (`perl scripts/checkpatch.pl --no-tree` over the 13
 *     patch files in one invocation, and once per patch). --no-tree because nothing is checked
 *     out: checkpatch then also skips its `git` lookups of commit ids (with a checkout it does
 *     more work, so this is checkpatch's cheaper case);
 *  3. prints median and min wall time of each, the ratios checkpatch / review, findings of
 *     both tools, peak RSS of the review process and the load average.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GIT_ENV } from './review-series/git.js';
import { buildSeries, repoOf } from './review-series/build-series.js';
import { measureProcesses } from './review-series/run-processes.js';
import { checkAppliedTree, measureInProcess } from './review-series/run-in-process.js';
import { printReport } from './review-series/print-report.js';

const here = dirname(fileURLToPath(import.meta.url));
/** bench/ in the sources, dist/bench/ when built */
const projectRoot = here.split('/').includes('dist') ? resolve(here, '..', '..') : resolve(here, '..');
const DEFAULT_MIRROR = '/work/.mirror/SToPire+linux-6.3.8/repo';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const treeArg = opt('--tree') ?? (existsSync(DEFAULT_MIRROR) ? DEFAULT_MIRROR : join(projectRoot, 'examples', 'tree'));
  const runs = Number(opt('--runs') ?? 5);
  const keep = args.includes('--keep');
  if (!existsSync(treeArg) || !statSync(treeArg).isDirectory()) throw new Error(`no such tree: ${treeArg}`);
  const cli = join(projectRoot, 'bin', 'bpf-review.js');
  if (!existsSync(join(projectRoot, 'dist', 'src', 'pipeline', 'review-sources.js'))) throw new Error('build first: npx tsc -p .');

  const work = mkdtempSync(join(tmpdir(), 'bench-review-series-'));
  const say = (s: string): void => void process.stdout.write(`${s}\n`);
  try {
    const load0 = loadavg();
    const gitDir = repoOf(resolve(treeArg), work);
    const t0 = performance.now();
    const built = buildSeries(gitDir, work);
    const tBuild = performance.now() - t0;
    const total = built.linesPerPatch.reduce((a, b) => a + b, 0);
    say(`tree: ${treeArg}${gitDir === resolve(treeArg) ? '' : ` (as the repository ${gitDir})`} at ${built.base.slice(0, 12)}`);
    say(`series: 13 patches + cover letter, ${total} changed lines (per patch: ${built.linesPerPatch.join(' ')}), ${statSync(built.mbox).size} bytes; built in ${(tBuild / 1000).toFixed(1)} s (not measured)`);
    say(`machine: ${cpus().length} cores, node ${process.version}; load average at start ${load0.map((x) => x.toFixed(2)).join(' ')}`);

    // checkpatch.pl of the same tree
    const cp = join(work, 'checkpatch');
    mkdirSync(join(cp, 'scripts'), { recursive: true });
    for (const p of ['scripts/checkpatch.pl', 'scripts/spelling.txt', 'scripts/const_structs.checkpatch', '.checkpatch.conf']) {
      const r = spawnSync('git', ['-C', gitDir, 'show', `HEAD:${p}`], { env: GIT_ENV, maxBuffer: 1 << 28 });
      if (r.status === 0) writeFileSync(join(cp, p), r.stdout);
      else if (p === 'scripts/checkpatch.pl') say('checkpatch: the tree has no scripts/checkpatch.pl: not measured');
    }
    const haveCheckpatch = existsSync(join(cp, 'scripts', 'checkpatch.pl'));

    const cacheDir = join(work, 'facts-cache');
    const procs = measureProcesses({ cli, projectRoot, gitDir, built, cacheDir, cp, haveCheckpatch, runs });
    const { inproc, daemon } = await measureInProcess(built, gitDir, cacheDir, runs);
    await checkAppliedTree(built, gitDir, work, say);
    const load1 = loadavg();

    printReport(say, { ...procs, inproc, daemon, haveCheckpatch, load1 });
    if (keep) say(`kept: ${work}`);
  } finally {
    if (!keep) rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
