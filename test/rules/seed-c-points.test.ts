/**
 * The seed review's two C points, raised from the seed patch itself
 * (../shared/seed/reconstructed/v2-02-13.mbox, read in place, diff-only):
 * - the kernel test robot / smatch: `rec = reg_btf_record(reg); if (!reg)` tests the wrong variable;
 * - David Vernet: the new enum btf_field_type member breaks the block's alignment.
 */
import { beforeAll, expect, it } from 'vitest';
import { ingest } from '../../src/ingest/ingest.js';
import { runRules } from '../../src/engine/run-rules.js';
import { allRules } from '../../rules/index.js';
import type { Finding } from '../../src/model/diagnostic.js';
import type { Patch } from '../../src/model/patch.js';
import { filePath } from '../../src/model/diff.js';
import { describeShared, sharedPath } from '../support/shared-data.js';

/** New-side line of the first added line in `file` whose text satisfies `pred`. */
function addedLine(patch: Patch, file: string, pred: (text: string) => boolean): number | null {
  for (const f of patch.files) {
    if (filePath(f) !== file) continue;
    for (const h of f.hunks) for (const l of h.lines) if (l.kind === 'add' && pred(l.text)) return l.newLine;
  }
  return null;
}

describeShared('the seed patch (v2 02/13): the C points of the review', () => {
  let patch: Patch;
  let findings: Finding[];

  beforeAll(async () => {
    const res = await ingest([sharedPath('seed', 'reconstructed', 'v2-02-13.mbox')]);
    const series = res.series.find((s) => s.patches.some((p) => p.subject.includes('02/13')));
    if (!series) throw new Error('the seed patch was not read as a series');
    patch = series.patches.find((p) => p.subject.includes('02/13'))!;
    const review = runRules(allRules, {
      series, version: null, mode: 'diff-only',
      trees: series.patches.map(() => null), models: series.patches.map(() => null), diffFacts: series.patches.map(() => ({})),
    });
    findings = review.findings.filter((f) => f.patch === patch.counter);
  });

  it('asks whether `if (!reg)` should test rec, on that line of kernel/bpf/verifier.c', () => {
    const line = addedLine(patch, 'kernel/bpf/verifier.c', (t) => t.trim() === 'if (!reg)');
    expect(line).not.toBeNull();
    const hits = findings.filter((f) => f.ruleId === 'null-check-wrong-variable');
    expect(hits).toHaveLength(1);
    const f = hits[0]!;
    expect(f).toMatchObject({ file: 'kernel/bpf/verifier.c', line, severity: 'error' });
    expect(f.message).toContain('Is this supposed to test rec instead of reg?');
    expect(f.message).toContain('reg_btf_record()');
  });

  it('says the new enum member breaks the alignment of enum btf_field_type in include/linux/bpf.h', () => {
    const line = addedLine(patch, 'include/linux/bpf.h', (t) => t.includes('BPF_GRAPH_NODE_OR_ROOT'));
    expect(line).not.toBeNull();
    const hits = findings.filter((f) => f.ruleId === 'alignment-break' && f.file === 'include/linux/bpf.h');
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ line, severity: 'info', kind: 'tooLong' });
    expect(hits[0]!.message).toContain('BPF_GRAPH_NODE_OR_ROOT');
    expect(hits[0]!.message).toContain('Can you update the rest of the elements here to keep common indentation?');
  });

  it('stays quiet on the merged version (v5 1/9), which tests rec', async () => {
    const dir = sharedPath('seed', 'thread');
    const { readdirSync } = await import('node:fs');
    const merged = readdirSync(dir).find((d) => d.startsWith('c-'));
    expect(merged).toBeDefined();
    const res = await ingest([sharedPath('seed', 'thread', merged!, 'thread.mboxrd')]);
    const series = res.series.find((s) => s.patches.some((p) => p.files.some((f) => filePath(f) === 'kernel/bpf/verifier.c')));
    expect(series).toBeDefined();
    const v5 = series!.patches[0]!;
    expect(addedLine(v5, 'kernel/bpf/verifier.c', (t) => t.trim() === 'if (!rec)')).not.toBeNull();
    const review = runRules(allRules.filter((r) => r.meta.id === 'null-check-wrong-variable'), {
      series: series!, version: null, mode: 'diff-only',
      trees: series!.patches.map(() => null), models: series!.patches.map(() => null), diffFacts: series!.patches.map(() => ({})),
    });
    expect(review.findings).toEqual([]);
  });
});
