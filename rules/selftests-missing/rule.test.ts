import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { patchBody } from '../../test/rules/support/make-patch.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../src/ingest/ingest.js';
import { runRules } from '../../src/engine/run-rules.js';
import { allRules } from '../index.js';
import { projectRoot } from '../../test/support/shared-data.js';

const V = 'kernel/bpf/verifier.c';
const logic = patchBody('bpf: reject unaligned list nodes', [{ file: V, hunks: [{ at: 300, lines: [' \tif (!field)', '-\t\treturn 0;', '+\t\treturn -EINVAL;', ' \treturn 0;'] }] }]);
const message = patchBody('bpf: add the missing newline', [{ file: V, hunks: [{ at: 75, lines: [' \t\tif (err) {', '-\t\t\tverbose(env, "failed to release release_on_unlock reference");', '+\t\t\tverbose(env, "failed to release release_on_unlock reference\\n");', ' \t\t\treturn err;'] }] }]);
const comment = patchBody('bpf: fix a comment', [{ file: V, hunks: [{ at: 75, lines: [' /*', '- * teh verifier', '+ * the verifier', ' */', '-\tint x; /* old */', '+\tint x;   /* new */'] }] }]);
const flags = patchBody('bpf: make list push a release', [{ file: 'kernel/bpf/helpers.c', hunks: [{ at: 2049, lines: [' BTF_ID_FLAGS(func, bpf_obj_drop_impl, KF_RELEASE)', '-BTF_ID_FLAGS(func, bpf_list_push_front)', '+BTF_ID_FLAGS(func, bpf_list_push_front, KF_RELEASE | KF_RELEASE_NON_OWN)', ' BTF_ID_FLAGS(func, bpf_list_pop_front, KF_ACQUIRE | KF_RET_NULL)'] }] }]);
const selftest = patchBody('selftests/bpf: test unaligned list nodes', [{ file: 'tools/testing/selftests/bpf/progs/linked_list_fail.c', hunks: [{ at: 10, lines: [' ', '+SEC("?tc")', '+int unaligned(void *ctx) { return 0; }', ' '] }] }]);
const moved = patchBody('bpf: sort kfuncs', [{ file: 'kernel/bpf/helpers.c', hunks: [{ at: 10, lines: ['-BTF_ID_FLAGS(func, bpf_b, KF_RCU)', ' BTF_ID_FLAGS(func, bpf_a)', '+BTF_ID_FLAGS(func, bpf_b, KF_RCU)'] }] }]);

describeRule(rule, {
  valid: [
    { name: 'verifier change with a selftest in the series', patches: [logic, selftest], cover: { subject: '[PATCH bpf-next 0/2] bpf: list nodes' } },
    { name: 'a message-only fix (the clean example)', patches: [message] },
    { name: 'comment and whitespace only', patches: [comment] },
    { name: 'kfunc lines moved, flags unchanged', patches: [moved] },
    { name: 'no kernel change', patches: [selftest] },
  ],
  invalid: [
    { name: 'verifier logic without selftests', patches: [logic],
      findings: [{ kind: 'missing', message: 'This series changes verifier code (kernel/bpf/verifier.c), but no patch touches tools/testing/selftests/bpf', patch: 1, file: null, severity: 'warning' }] },
    { name: 'kfunc flags changed, only docs follow', patches: [flags, patchBody('docs/bpf: document it', [{ file: 'Documentation/bpf/kfuncs.rst', hunks: [{ at: 1, lines: [' x', '+y'] }] }])], cover: { subject: '[PATCH bpf-next 0/2] x' },
      findings: [{ message: 'the flags of bpf_list_push_front', patch: 1 }] },
  ],
});

// The clean example series (examples/series/clean-fix.mbox, a message-only verifier fix) must
// raise nothing from the C-in-patch and series/process rules.
const MINE = ['null-check-wrong-variable', 'redundant-null-return', 'ignored-error-code', 'split-user-string', 'alignment-break',
  'whitespace-only-change', 'selftests-missing', 'selftests-after-behaviour-change', 'subject-tree-tag', 'bpf-fix-without-fixes',
  'cc-stable', 'cover-letter-missing', 'signed-off-by', 'uapi-header-sync', 'libbpf-map-missing', 'selftest-check-deprecated'];

describe('the clean example series', () => {
  it('raises nothing from the C-in-patch and series rules', async () => {
    const path = join(projectRoot, 'examples', 'series', 'clean-fix.mbox');
    if (!existsSync(path)) return; // the example belongs to the kernel-facts engineer
    const res = await ingest([path]);
    expect(res.series.length).toBeGreaterThan(0);
    const rules = allRules.filter((r) => MINE.includes(r.meta.id));
    expect(rules).toHaveLength(MINE.length);
    for (const series of res.series) {
      const n = series.patches.length;
      const review = runRules(rules, { series, version: null, mode: 'diff-only', trees: Array(n).fill(null), models: Array(n).fill(null), diffFacts: Array(n).fill({}) });
      expect(review.findings).toEqual([]);
    }
  });
});
