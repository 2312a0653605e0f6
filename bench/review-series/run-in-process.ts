/** The measurements in this process (reviewSources with a disk cache; the daemon's case) and the applied-tree check. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuiltSeries } from './build-series.js';
import { git } from './git.js';
import type { Series } from './measure.js';

/** reviewSources() with the primed disk cache, and ingest + reviewSeries with the tree open: RUNS of each. */
export async function measureInProcess(built: BuiltSeries, gitDir: string, cacheDir: string, runs: number): Promise<{ inproc: Series; daemon: Series }> {
  let t0: number;
  // in this process: reviewSources with the primed disk cache, and the daemon's case
  const { reviewSources } = await import('../../src/pipeline/review-sources.js');
  const { ingest } = await import('../../src/ingest/ingest.js');
  const { reviewSeries } = await import('../../src/pipeline/review-series.js');
  const { openKernelTree } = await import('../../src/kernel/kernel-tree.js');
  const { memoryFactsCache } = await import('../../src/kernel/series-facts.js');
  const { loadCParser } = await import('../../src/kernel/c-parser.js');
  const inproc: Series = { label: 'review in process: reviewSources() with the primed disk cache (CPU: this process, not git)', times: [], cpu: [], rssKB: [] };
  await reviewSources([built.mbox], { tree: gitDir, cacheDir }); // loads the parser and the modules
  for (let i = 0; i < runs; i++) {
    t0 = performance.now();
    const c0 = process.cpuUsage();
    const run = await reviewSources([built.mbox], { tree: gitDir, cacheDir });
    inproc.times.push(performance.now() - t0);
    const c1 = process.cpuUsage(c0);
    inproc.cpu.push((c1.user + c1.system) / 1000);
    if (run.reviewed[0]?.review.errors.some((e) => e.code === 'patch-does-not-apply')) throw new Error('in-process review: the series does not apply');
  }
  const daemon: Series = { label: 'review in process, as the daemon: ingest + reviewSeries (tree open, parser loaded, base facts in memory)', times: [], cpu: [], rssKB: [] };
  const tree = await openKernelTree(gitDir);
  try {
    const parser = await loadCParser();
    const factsCache = memoryFactsCache();
    for (let i = 0; i <= runs; i++) {
      t0 = performance.now();
      const c0 = process.cpuUsage();
      const ing = await ingest([built.mbox]);
      for (const s of ing.series) await reviewSeries(s, { messages: ing.messagesById, tree, parser, factsCache });
      const c1 = process.cpuUsage(c0);
      if (i > 0) { // the first fills the cache
        daemon.times.push(performance.now() - t0);
        daemon.cpu.push((c1.user + c1.system) / 1000);
      }
    }
  } finally {
    await tree.close();
  }
  return { inproc, daemon };
}

/** The trees the review applies the series into must be git's: compare the last one with the clone's HEAD. */
export async function checkAppliedTree(built: BuiltSeries, gitDir: string, work: string, say: (s: string) => void): Promise<void> {
  const { applySeries, openKernelTree, runGit } = await import('../../src/kernel/kernel-tree.js');
  const check = await openKernelTree(gitDir);
  try {
    const patches = built.patchFiles.map((f, i) => {
      const t = readFileSync(f, 'utf8');
      return { counter: i + 1, diffText: t.slice(t.indexOf('\ndiff --git ') + 1, t.lastIndexOf('\n-- \n') + 1) };
    });
    const applied = await applySeries(check, patches, built.base);
    const ours = applied.final ? (await runGit(['rev-parse', `${applied.final}^{tree}`], { cwd: check.gitDir, env: check.env })).stdout.toString().trim() : '(none)';
    const theirs = git(['rev-parse', 'HEAD^{tree}'], join(work, 'clone')).trim();
    if (ours !== theirs) throw new Error(`the review's tree after the series ${ours} is not git's ${theirs}`);
    say(`applied tree after patch 13 equals git's (${ours.slice(0, 12)}), fast path: ${applied.patches.every((p) => p.changed) ? 'yes' : 'no'}`);
  } finally {
    await check.close();
  }
}
