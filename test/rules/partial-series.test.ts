/**
 * A lone patch of a larger series (the seed is 02/13 on its own): points that depend on the rest
 * of the series are asked, not asserted, and nothing is claimed about patches we do not have.
 */
import { describe, expect, it } from 'vitest';
import { runRules } from '../../src/engine/run-rules.js';
import { seriesFromCase } from '../../src/engine/rule-tester.js';
import { allRules } from '../../rules/index.js';
import { patchBody } from './support/make-patch.js';
import { HELPERS } from './support/kfunc-patches.js';

const BTF = 'include/linux/btf.h';
const body = patchBody('bpf: KF_FOO', [
  { file: BTF, hunks: [{ at: 70, lines: [' #define KF_RCU          (1 << 7) /* kfunc only takes rcu pointer arguments */', '+#define KF_FOO          (1 << 8) /* kfunc foos */', ' '] }] },
  { file: HELPERS, hunks: [{ at: 100, lines: [' }', ' ', '+__bpf_kfunc struct foo *bpf_foo_get(struct foo *f)', '+{', '+\treturn f;', '+}', '+', ' static int helper_after(void)'] }] },
]);

function review(partial: boolean) {
  const series = seriesFromCase({ name: 'partial', patches: [{ subject: '[PATCH bpf-next 1/3] bpf: KF_FOO', body }] });
  const s = partial ? { ...series, total: 3, missing: [2, 3] } : series;
  const rules = allRules.filter((r) => ['kfunc-flag-undocumented', 'kfunc-definition'].includes(r.meta.id));
  return runRules(rules, { series: s, version: { version: 6, patchlevel: 8, sublevel: 0, short: '6.8' }, mode: 'diff-only', trees: [null], models: [null], diffFacts: [{}] }).findings;
}

describe('a lone patch of a larger series', () => {
  it('asks whether a later patch documents the new flag, and does not claim the kfunc is unregistered', () => {
    const f = review(true);
    expect(f.map((x) => [x.ruleId, x.kind])).toEqual([['kfunc-flag-undocumented', 'undocumentedPartial']]);
    expect(f[0]?.message).toContain('Does a later patch document it?');
  });
  it('the complete series gets the plain points', () => {
    const kinds = review(false).map((x) => x.kind).sort();
    expect(kinds).toEqual(['notRegistered', 'undocumented']);
  });
});
