import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { patchBody } from '../../test/rules/support/make-patch.js';
import { describe, expect, it } from 'vitest';
import { seriesFromCase } from '../../src/engine/rule-tester.js';
import { runRules } from '../../src/engine/run-rules.js';
import type { PatchTreeView } from '../../src/engine/rule-kit.js';

const hunk = { at: 1450, lines: [' \t__u32\t\tprog_flags;', '+\t__u32\t\tnew_flag;', ' };'] };
const uapi = patchBody('bpf: add new_flag', [{ file: 'include/uapi/linux/bpf.h', hunks: [hunk] }]);
const both = patchBody('bpf: add new_flag', [{ file: 'include/uapi/linux/bpf.h', hunks: [hunk] }, { file: 'tools/include/uapi/linux/bpf.h', hunks: [hunk] }]);
const tools = patchBody('tools: sync bpf.h', [{ file: 'tools/include/uapi/linux/bpf.h', hunks: [hunk] }]);

describeRule(rule, {
  valid: [
    { name: 'both copies in one patch', patches: [both] },
    { name: 'the tools copy synced in a later patch', cover: { subject: '[PATCH bpf-next 0/2] x' }, patches: [uapi, tools] },
    { name: 'a UAPI header tools does not mirror (diff-only)', patches: [patchBody('net: x', [{ file: 'include/uapi/linux/tcp.h', hunks: [hunk] }])] },
  ],
  invalid: [
    { name: 'bpf.h changed alone', patches: [uapi],
      findings: [{ kind: 'notSynced', message: 'no patch of this series updates tools/include/uapi/linux/bpf.h', patch: 1, file: 'include/uapi/linux/bpf.h', line: 1451, severity: 'warning' }] },
  ],
});

// Tree mode: any UAPI header whose tools/ copy exists in the tree is judged.
describe('uapi-header-sync in tree mode (direct)', () => {
  it('checks a header that tools/include/uapi mirrors in this tree', () => {
    const body = patchBody('netdev: add a field', [{ file: 'include/uapi/linux/netdev.h', hunks: [hunk] }]);
    const series = seriesFromCase({ name: 'direct', patches: [body] });
    const view: PatchTreeView = { before: null, after: null, diff: null, readBefore: (p) => (p === 'tools/include/uapi/linux/netdev.h' ? '/* copy */\n' : null), readAfter: () => null };
    const review = runRules([rule], { series, version: null, mode: 'tree', trees: [view], models: [null], diffFacts: [{}] });
    expect(review.findings).toHaveLength(1);
    expect(review.findings[0]!.message).toContain('tools/include/uapi/linux/netdev.h');
    // without a tree, netdev.h is not one of the headers known to be mirrored
    expect(runRules([rule], { series, version: null, mode: 'diff-only', trees: [null], models: [null], diffFacts: [{}] }).findings).toEqual([]);
  });
});
