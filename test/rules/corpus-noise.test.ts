/**
 * Low noise on good code: the kfunc / verifier rules over every series in the real bpf list
 * threads of ../shared/corpus (merged or reviewed upstream work), diff-only at v6.8, raise
 * nothing. A finding here is a false positive to fix (or a real bug upstream to cite).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ingest } from '../../src/ingest/ingest.js';
import { runRules } from '../../src/engine/run-rules.js';
import { allRules } from '../../rules/index.js';
import { describeShared, sharedPath } from '../support/shared-data.js';

const mine = allRules.filter((r) => /^(kfunc|verifier)-/.test(r.meta.id));

describeShared('real bpf-next series raise nothing', () => {
  it('22 series of bpf list threads, diff-only at v6.8', async () => {
    const root = sharedPath('corpus', 'bpf-list-threads');
    const findings: string[] = [];
    let patches = 0;
    for (const d of readdirSync(root)) {
      const res = await ingest([join(root, d)]);
      for (const s of res.series) {
        patches += s.patches.length;
        const review = runRules(mine, {
          series: s, version: { version: 6, patchlevel: 8, sublevel: 0, short: '6.8' }, mode: 'diff-only',
          trees: s.patches.map(() => null), models: s.patches.map(() => null), diffFacts: s.patches.map(() => ({})),
        });
        findings.push(...review.findings.map((f) => `${d} p${f.patch} ${f.ruleId} ${f.file}:${f.line}: ${f.message}`));
      }
    }
    expect(patches).toBeGreaterThan(100);
    expect(findings).toEqual([]);
  }, 60_000);
});
