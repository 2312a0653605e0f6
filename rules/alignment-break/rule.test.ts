import { describeRule } from '../../src/engine/rule-test-table.js';
import type { InvalidCase } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { patchBody } from '../../test/rules/support/make-patch.js';
import '../../test/rules/support/register-facts.js';
import { describe, expect, it } from 'vitest';
import { seriesFromCase } from '../../src/engine/rule-tester.js';
import { runRules } from '../../src/engine/run-rules.js';
import type { PatchTreeView } from '../../src/engine/rule-kit.js';

const BPF_H = 'include/linux/bpf.h';
const BTF_H = 'include/linux/btf.h';
const ENUM_CTX = [' enum btf_field_type {', ' \tBPF_SPIN_LOCK  = (1 << 0),', ' \tBPF_TIMER      = (1 << 1),', ' \tBPF_LIST_HEAD  = (1 << 4),', ' \tBPF_LIST_NODE  = (1 << 5),'];
const enumPatch = (added: string[]) => patchBody('bpf: add a field type', [{ file: BPF_H, hunks: [{ at: 178, lines: [...ENUM_CTX, ...added.map((l) => '+' + l), ' };', ' '] }] }]);
const DEFS = [' #define KF_SLEEPABLE    (1 << 5) /* kfunc may sleep */', ' #define KF_DESTRUCTIVE  (1 << 6) /* kfunc performs destructive actions */', ' #define KF_RCU          (1 << 7) /* kfunc only takes rcu pointer arguments */'];
const definePatch = (added: string) => patchBody('bpf: add a kfunc flag', [{ file: BTF_H, hunks: [{ at: 70, lines: [...DEFS, '+' + added, ' '] }] }]);

const tree: Record<string, string> = {
  [BPF_H]: ['enum btf_field_type {', '\tBPF_SPIN_LOCK  = (1 << 0),', '\tBPF_TIMER      = (1 << 1),', '\tBPF_KPTR_UNREF = (1 << 2),', '\tBPF_KPTR_REF   = (1 << 3),', '\tBPF_LIST_HEAD  = (1 << 4),', '\tBPF_LIST_NODE  = (1 << 5),', '};', ''].join('\n'),
};
const treeCases: InvalidCase[] = [{
  name: 'tree mode: the after-file gives the whole enum, beyond the hunk\'s context',
  tree,
  patches: [patchBody('bpf: x', [{ file: BPF_H, hunks: [{ at: 7, lines: [' \tBPF_LIST_NODE  = (1 << 5),', '+\tBPF_RB_ROOT = (1 << 6),', ' };'] }] }])],
  findings: [{ kind: 'misaligned', file: BPF_H, line: 8 }],
}];

describeRule(rule, {
  valid: [
    { name: 'new enum member aligned with its neighbours', patches: [enumPatch(['\tBPF_RB_ROOT    = (1 << 6),'])] },
    { name: 'the whole enum realigned for a longer member', patches: [patchBody('bpf: add a field type', [{ file: BPF_H, hunks: [{ at: 178, lines: [' enum btf_field_type {', '-\tBPF_LIST_HEAD  = (1 << 4),', '-\tBPF_LIST_NODE  = (1 << 5),', '+\tBPF_LIST_HEAD          = (1 << 4),', '+\tBPF_LIST_NODE          = (1 << 5),', '+\tBPF_GRAPH_NODE_OR_ROOT = BPF_LIST_NODE | BPF_LIST_HEAD,', ' };'] }] }])] },
    { name: 'new #define lined up', patches: [definePatch('#define KF_ITER_NEW     (1 << 8) /* kfunc implements BPF iter constructor */')] },
    { name: 'neighbours use a single space: no deliberate alignment', patches: [patchBody('x', [{ file: BTF_H, hunks: [{ at: 1, lines: [' #define A 1', ' #define BB 2', ' #define CCC 3', '+#define DDDDDD\t\t4'] }] }])] },
    { name: 'neighbours disagree among themselves', patches: [patchBody('x', [{ file: BTF_H, hunks: [{ at: 1, lines: [' #define A\t1', ' #define BBBBBBBBBB\t2', ' #define CCC  3', '+#define DD   4'] }] }])] },
    { name: 'struct members with single spaces', patches: [patchBody('bpf: lock', [{ file: 'include/linux/bpf_verifier.h', hunks: [{ at: 84, lines: [' \t\tstruct {', ' \t\t\tstruct btf *btf;', ' \t\t\tu32 btf_id;', '+\t\t\tstruct bpf_active_lock non_owning_ref_lock;', ' \t\t};'] }] }])] },
    { name: 'statements in a function body are not an enum', patches: [patchBody('x', [{ file: 'kernel/bpf/verifier.c', hunks: [{ at: 9, lines: [' \tint a  = 1;', ' \tint bb = 2;', '+\tint ccc = 3;'] }] }])] },
    { name: 'function-like macros', patches: [patchBody('x', [{ file: BTF_H, hunks: [{ at: 1, lines: [' #define A(x)\t(x)', ' #define B(x)\t(x)', '+#define CCCCCCCCCCC(x) (x)'] }] }])] },
  ],
  invalid: [
    { name: 'the seed: BPF_GRAPH_NODE_OR_ROOT is longer than the enum\'s column', patches: [enumPatch(['\tBPF_GRAPH_NODE_OR_ROOT = BPF_LIST_NODE | BPF_LIST_HEAD,'])],
      findings: [{ kind: 'tooLong', message: 'Can you update the rest of the elements here to keep common indentation?', file: BPF_H, line: 183, severity: 'info' }] },
    { name: 'a #define one column off its group', patches: [definePatch('#define KF_TRUSTED_ARGS  (1 << 4) /* kfunc only takes trusted pointer arguments */')],
      findings: [{ kind: 'misaligned', message: 'its values start at column 26, the other 3 at column 25', line: 73 }] },
    { name: 'aligned struct member out of line', patches: [patchBody('bpf: state', [{ file: 'include/linux/bpf_verifier.h', hunks: [{ at: 10, lines: [' struct bpf_x {', ' \tu32\t\t\tid;', ' \tu32\t\t\tref_obj_id;', '+\tbool active;', ' };'] }] }])],
      findings: [{ kind: 'misaligned', message: 'member names', line: 13 }] },
    ...treeCases,
  ],
});

// Tree mode without the kernel facts layer: the rule only needs the patched file, so it is
// driven directly with a tree view whose after-file holds the whole enum.
describe('alignment-break in tree mode (direct)', () => {
  it('judges the whole block of the patched file, beyond the hunk\'s context', () => {
    const body = patchBody('bpf: add a field type', [{ file: BPF_H, hunks: [{ at: 7, lines: [' \tBPF_LIST_NODE  = (1 << 5),', '+\tBPF_RB_ROOT = (1 << 6),', ' };'] }] }]);
    const c = { name: 'direct', patches: [body] };
    const series = seriesFromCase(c);
    const after = tree[BPF_H]!.replace('\tBPF_LIST_NODE  = (1 << 5),\n', '\tBPF_LIST_NODE  = (1 << 5),\n\tBPF_RB_ROOT = (1 << 6),\n');
    const view: PatchTreeView = { before: null, after: null, diff: null, readBefore: (p) => tree[p] ?? null, readAfter: (p) => (p === BPF_H ? after : null) };
    const review = runRules([rule], { series, version: null, mode: 'tree', trees: [view], models: [null], diffFacts: [{}] });
    expect(review.findings).toHaveLength(1);
    expect(review.findings[0]).toMatchObject({ kind: 'misaligned', file: BPF_H, line: 8 });
    // the hunk alone shows one neighbour: diff-only mode cannot judge it
    expect(runRules([rule], { series, version: null, mode: 'diff-only', trees: [null], models: [null], diffFacts: [{}] }).findings).toEqual([]);
    expect(review.findings[0]!.message).toContain('the other 6 at column 24');
  });
});
