/**
 * The seed: [PATCH v2 bpf-next 02/13] "bpf: Migrate release_on_unlock logic to non-owning ref
 * semantics" (rebuilt in shared/seed/reconstructed), reviewed by this pack against a v6.2-like
 * tree written for it (test/fixtures/seed-tree). Alexei Starovoitov and David Vernet made the
 * points asserted here; the bot must make them on the same lines.
 */
import { beforeAll, expect, it } from 'vitest';
import { ingest } from '../../src/ingest/ingest.js';
import { reviewCase } from '../../src/engine/rule-tester.js';
import type { Finding } from '../../src/model/diagnostic.js';
import { allRules } from '../../rules/index.js';
import { describeShared, sharedPath } from '../support/shared-data.js';
import './support/register-facts.js';
import { seedLikeTree } from './support/trees.js';

const MINE = new Set(allRules.map((r) => r.meta.id).filter((id) => /^(kfunc|verifier|selftest-bisect|selftest-annotation)/.test(id)));

async function seedCase(file: string) {
  const res = await ingest([sharedPath('seed', 'reconstructed', file)]);
  const msg = [...res.messagesById.values()].find((m) => m.subject.includes('02/13'));
  if (!msg) throw new Error('seed patch not found');
  return { subject: msg.subject, body: msg.body };
}

const at = (fs: Finding[], rule: string, file: string, line?: number) =>
  fs.filter((f) => f.ruleId === rule && f.file === file && (line === undefined || f.line === line));

describeShared('seed review (v2 02/13, KF_RELEASE_NON_OWN)', () => {
  let patch: { subject: string; body: string };
  beforeAll(async () => {
    patch = await seedCase('v2-02-13.mbox');
  });

  it('diff-only at 6.2: the flag points, on the btf.h define and the helpers.c lines', () => {
    const review = reviewCase(allRules.filter((r) => MINE.has(r.meta.id)), { name: 'seed diff-only', patches: [patch], version: '6.2' });
    const f = review.findings;
    // #define KF_RELEASE_NON_OWN (1 << 8) is new-side line 74 of include/linux/btf.h
    expect(at(f, 'kfunc-flag-meaningless-alone', 'include/linux/btf.h', 74)[0]?.message).toContain('only used together with KF_RELEASE');
    expect(at(f, 'kfunc-graph-flag', 'include/linux/btf.h', 74)[0]?.message).toContain('upstream did not take');
    expect(at(f, 'kfunc-flag-undocumented', 'include/linux/btf.h', 74)).toHaveLength(1);
    expect(at(f, 'kfunc-graph-flag', 'kernel/bpf/helpers.c', 2052)).toHaveLength(1);
    expect(at(f, 'kfunc-flags-changed', 'kernel/bpf/helpers.c', 2052)[0]?.message).toContain('from (no flags) to KF_RELEASE | KF_RELEASE_NON_OWN');
    // non_owning_ref_lock: a new id-carrying member of bpf_reg_state (line 87), regsafe() untouched
    expect(at(f, 'verifier-state-not-compared', 'include/linux/bpf_verifier.h', 87)).toHaveLength(1);
    // the realignment of the old defines is not a renumbering
    expect(f.filter((x) => x.ruleId === 'kfunc-flag-bit')).toEqual([]);
    expect(f.filter((x) => x.ruleId === 'internal-error')).toEqual([]);
  });

  it('diff-only with no version (the series is incomplete, as the CLI reviews it): the same points, no false "undefined flag"', () => {
    const review = reviewCase(allRules.filter((r) => MINE.has(r.meta.id)), { name: 'seed no version', patches: [patch] });
    const f = review.findings;
    expect(at(f, 'kfunc-flag-meaningless-alone', 'include/linux/btf.h', 74)).toHaveLength(1);
    expect(at(f, 'kfunc-graph-flag', 'include/linux/btf.h', 74)).toHaveLength(1);
    expect(at(f, 'verifier-state-not-compared', 'include/linux/bpf_verifier.h', 87)).toHaveLength(1);
    expect(f.filter((x) => x.ruleId === 'kfunc-flag-undefined')).toEqual([]);
  });

  it('tree mode on the 6.2-like tree: the same points, and the regsafe() one with its reason', () => {
    const review = reviewCase(allRules.filter((r) => MINE.has(r.meta.id)), { name: 'seed tree', patches: [patch], tree: seedLikeTree() });
    const f = review.findings;
    expect(review.errors).toEqual([]);
    expect(at(f, 'kfunc-flag-meaningless-alone', 'include/linux/btf.h', 74)).toHaveLength(1);
    expect(at(f, 'kfunc-graph-flag', 'include/linux/btf.h', 74)).toHaveLength(1);
    expect(at(f, 'kfunc-flag-undocumented', 'include/linux/btf.h', 74)).toHaveLength(1);
    const state = at(f, 'verifier-state-not-compared', 'include/linux/bpf_verifier.h', 87);
    expect(state).toHaveLength(1);
    expect(state[0]?.message).toContain('non_owning_ref_lock');
    expect(state[0]?.message).toContain('regsafe()');
    expect(state[0]?.message).toContain('check_ids()');
    expect(state[0]?.message).toContain('via idmap');
    expect(at(f, 'kfunc-graph-flag', 'kernel/bpf/helpers.c', 2052)[0]?.message).toContain('is_bpf_list_api_kfunc()');
    expect(at(f, 'kfunc-flags-changed', 'kernel/bpf/helpers.c', 2053)).toHaveLength(1);
    // no finding about members that existed before (active_lock) or structs that are not verifier state
    expect(f.filter((x) => x.ruleId === 'verifier-state-not-compared')).toHaveLength(1);
    expect(f.filter((x) => x.ruleId === 'internal-error')).toEqual([]);
  });

  it('the whole pack on the seed tree raises the four points of the review', () => {
    const review = reviewCase(allRules, { name: 'seed whole pack', patches: [patch], tree: seedLikeTree() });
    const f = review.findings;
    expect(f.filter((x) => x.ruleId === 'internal-error')).toEqual([]);
    // Alexei: KF_RELEASE_NON_OWN by itself is a nonsensical flag
    expect(at(f, 'kfunc-flag-meaningless-alone', 'include/linux/btf.h', 74)).toHaveLength(1);
    // Alexei: compare the new id via idmap in regsafe()
    expect(at(f, 'verifier-state-not-compared', 'include/linux/bpf_verifier.h', 87)).toHaveLength(1);
    // David Vernet: keep common indentation in enum btf_field_type (the C rules engineer's rule)
    expect(f.some((x) => x.file === 'include/linux/bpf.h' && x.line === 183)).toBe(true);
    // kernel test robot: `if (!reg)` after `rec = reg_btf_record(reg)` (the C rules engineer's rule)
    expect(f.some((x) => x.file === 'kernel/bpf/verifier.c' && x.line === 6275)).toBe(true);
  });
});
