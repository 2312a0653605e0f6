/** The measurements of processes: the review CLI cold and warm, checkpatch.pl in one run and once per patch. */
import type { BuiltSeries } from './build-series.js';
import { checkReview, record, runTimed, type ReviewJson, type Series } from './measure.js';

export interface ProcessRuns {
  firstJson: ReviewJson;
  warmJson: ReviewJson | null;
  cold: Series;
  warm: Series;
  cpAll: Series;
  cpEach: Series;
  /** checkpatch's output of the last one-run measurement */
  cpOut: string;
}

/**
 * One review to check the series applies, one to prime CACHEDIR, then RUNS of each kind,
 * interleaved. CP is the directory holding checkpatch.pl (used when HAVECHECKPATCH).
 */
export function measureProcesses(opts: { cli: string; projectRoot: string; gitDir: string; built: BuiltSeries; cacheDir: string; cp: string; haveCheckpatch: boolean; runs: number }): ProcessRuns {
  const { cli, projectRoot, gitDir, built, cacheDir, cp, haveCheckpatch, runs } = opts;
  const reviewArgs = (extra: string[]): string[] => [cli, 'review', built.mbox, '--tree', gitDir, '--format', 'json', ...extra];
  // exit 1 = errors found, which is a result, not a failure
  const first = runTimed(process.execPath, reviewArgs([]), projectRoot, [0, 1]);
  const firstJson = JSON.parse(first.stdout) as ReviewJson;
  checkReview(firstJson);

  runTimed(process.execPath, reviewArgs(['--cache', cacheDir]), projectRoot, [0, 1]); // primes the cache

  const cold: Series = { label: 'bpf-review review, process, cold (no cache: full extraction of the base)', times: [], cpu: [], rssKB: [] };
  const warm: Series = { label: 'bpf-review review, process, warm (--cache primed)', times: [], cpu: [], rssKB: [] };
  const cpAll: Series = { label: 'checkpatch.pl --no-tree, the 13 files in one run', times: [], cpu: [], rssKB: [] };
  const cpEach: Series = { label: 'checkpatch.pl --no-tree, once per patch (13 runs, summed)', times: [], cpu: [], rssKB: [] };
  let cpOut = '';
  let warmJson: ReviewJson | null = null;
  // interleaved, so that a change of load hits every kind alike
  for (let i = 0; i < runs; i++) {
    const c = runTimed(process.execPath, reviewArgs([]), projectRoot, [0, 1]);
    record(cold, c);
    const w = runTimed(process.execPath, reviewArgs(['--cache', cacheDir]), projectRoot, [0, 1]);
    record(warm, w);
    warmJson = JSON.parse(w.stdout) as ReviewJson;
    checkReview(warmJson);
    if (haveCheckpatch) {
      const a = runTimed('perl', ['scripts/checkpatch.pl', '--no-tree', ...built.patchFiles], cp, [0, 1]);
      record(cpAll, a);
      cpOut = a.stdout;
      let sum = 0;
      let sumCpu = 0;
      for (const f of built.patchFiles) {
        const one = runTimed('perl', ['scripts/checkpatch.pl', '--no-tree', f], cp, [0, 1]);
        sum += one.ms;
        sumCpu += one.cpuMs ?? 0;
      }
      cpEach.times.push(sum);
      if (sumCpu) cpEach.cpu.push(sumCpu);
    }
  }
  return { firstJson, warmJson, cold, warm, cpAll, cpEach, cpOut };
}
