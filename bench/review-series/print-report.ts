/** The figures: each measurement, both tools' findings, the ratios, the target, the load. */
import { checkpatchTotals, fmtSeries, median, type Series } from './measure.js';
import type { ProcessRuns } from './run-processes.js';

export function printReport(say: (s: string) => void, m: ProcessRuns & { inproc: Series; daemon: Series; haveCheckpatch: boolean; load1: number[] }): void {
  const { cold, warm, inproc, daemon, cpAll, cpEach, cpOut, warmJson, firstJson, haveCheckpatch, load1 } = m;
  say('');
  for (const s of [cold, warm, inproc, daemon]) say(fmtSeries(s));
  if (haveCheckpatch) for (const s of [cpAll, cpEach]) say(fmtSeries(s));
  say('');
  const j = warmJson ?? firstJson;
  const rules = new Map<string, number>();
  for (const f of j.series.flatMap((s) => s.findings)) rules.set(f.ruleId, (rules.get(f.ruleId) ?? 0) + 1);
  say(`bpf-review findings: ${j.totals.error} errors, ${j.totals.warning} warnings, ${j.totals.info} info (${[...rules].map(([r, n]) => `${r} ${n}`).join(', ')})`);
  if (haveCheckpatch) {
    const t = checkpatchTotals(cpOut);
    say(`checkpatch findings: ${t.errors} errors, ${t.warnings} warnings, ${t.checks} checks (default options, --no-tree)`);
    const ratio = (s: Series): string => (median(cpAll.times) / median(s.times)).toFixed(2);
    say(`ratio checkpatch (13 files, one run) / review, wall: cold ${ratio(cold)}, warm ${ratio(warm)}, in process ${ratio(inproc)}, daemon ${ratio(daemon)}  (> 1: the review is faster)`);
    if (cpAll.cpu.length && warm.cpu.length) {
      const cr = (x: Series): string => (median(cpAll.cpu) / median(x.cpu)).toFixed(2);
      say(`ratio checkpatch / review, CPU (steadier on a shared machine): cold ${cr(cold)}, warm ${cr(warm)}, daemon ${cr(daemon)} (the daemon's without its git children)`);
    }
  }
  const target = median(warm.times) < 1000;
  say(`target: full review under 1 s warm: ${target ? 'met' : 'NOT met'} (${median(warm.times).toFixed(0)} ms); faster than checkpatch: ${haveCheckpatch ? (median(warm.times) < median(cpAll.times) ? 'yes' : 'no') : 'n/a'} warm, ${haveCheckpatch ? (median(cold.times) < median(cpAll.times) ? 'yes' : 'no') : 'n/a'} cold`);
  say(`load average at end ${load1.map((x) => x.toFixed(2)).join(' ')}`);
}
