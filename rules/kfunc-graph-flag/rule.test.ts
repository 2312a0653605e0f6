import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { HELPERS } from '../../test/rules/support/kfunc-patches.js';
import { patchBody } from '../../test/rules/support/make-patch.js';

const BTF = 'include/linux/btf.h';
const flagAndUse = (def: string, uses: string[]) => patchBody('bpf: new kfunc flag', [
  { file: BTF, hunks: [{ at: 70, lines: [' #define KF_RCU          (1 << 7) /* kfunc only takes rcu pointer arguments */', `+${def}`, ' '] }] },
  { file: HELPERS, hunks: [{ at: 2050, lines: [' BTF_ID_FLAGS(func, bpf_obj_drop_impl, KF_RELEASE)', ...uses.map((u) => '+' + u), ' BTF_ID_FLAGS(func, bpf_list_pop_front, KF_ACQUIRE | KF_RET_NULL)'] }] },
]);

describeRule(rule, {
  valid: [
    { name: 'a general flag used outside the graph kfuncs', version: '6.2', patches: [flagAndUse('#define KF_PERFMON      (1 << 8) /* kfunc requires CAP_PERFMON */', ['BTF_ID_FLAGS(func, bpf_read_counter, KF_PERFMON)'])] },
    { name: 'graph kfuncs with existing flags only', version: '6.3', patches: [patchBody('bpf: rbtree', [{ file: HELPERS, hunks: [{ at: 2050, lines: [' BTF_ID_FLAGS(func, bpf_obj_drop_impl, KF_RELEASE)', '+BTF_ID_FLAGS(func, bpf_rbtree_remove, KF_ACQUIRE)', '+BTF_ID_FLAGS(func, bpf_rbtree_first, KF_RET_NULL)', ' '] }] }])] },
  ],
  invalid: [
    { name: 'the seed flag: never merged', version: '6.2', patches: [flagAndUse('#define KF_RELEASE_NON_OWN\t(1 << 8) /* kfunc converts its referenced arg into non-owning ref */',
      ['BTF_ID_FLAGS(func, bpf_list_push_front, KF_RELEASE | KF_RELEASE_NON_OWN)'])],
      findings: [{ kind: 'knownRejected', message: 'No need for this flag.', file: BTF, line: 71, severity: 'warning' }, { kind: 'graphUse', file: HELPERS, line: 2051, severity: 'info' }] },
    { name: 'a new graph flag by name', version: '6.3', patches: [flagAndUse('#define KF_GRAPH_INSERT (1 << 8) /* kfunc inserts a node */', ['BTF_ID_FLAGS(func, bpf_rbtree_add, KF_GRAPH_INSERT)'])],
      findings: [{ kind: 'graphFlag', message: 'used only by bpf_rbtree_add', line: 71 }, { kind: 'graphUse' }] },
    { name: 'a neutral name used only by graph kfuncs', version: '6.3', patches: [flagAndUse('#define KF_CONSUME      (1 << 8) /* kfunc consumes its argument */', ['BTF_ID_FLAGS(func, bpf_list_push_back, KF_CONSUME)', 'BTF_ID_FLAGS(func, bpf_rbtree_add, KF_CONSUME)'])],
      findings: [{ kind: 'graphFlag', message: 'used only by bpf_list_push_back, bpf_rbtree_add' }, { kind: 'graphUse', line: 2051 }, { kind: 'graphUse', line: 2052 }] },
  ],
});
