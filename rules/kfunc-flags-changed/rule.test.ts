import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { HELPERS } from '../../test/rules/support/kfunc-patches.js';
import { patchBody } from '../../test/rules/support/make-patch.js';

const change = (from: string, to: string) => patchBody('bpf: flags', [{ file: HELPERS, hunks: [{ at: 2050, lines: [' BTF_ID_FLAGS(func, bpf_obj_drop_impl, KF_RELEASE)', `-${from}`, `+${to}`, ' BTF_ID_FLAGS(func, bpf_list_pop_front, KF_ACQUIRE | KF_RET_NULL)'] }] }]);

describeRule(rule, {
  valid: [
    { name: 'a new kfunc', version: '6.8', patches: [patchBody('bpf: new', [{ file: HELPERS, hunks: [{ at: 2050, lines: [' BTF_ID_FLAGS(func, bpf_obj_drop_impl, KF_RELEASE)', '+BTF_ID_FLAGS(func, bpf_foo, KF_ACQUIRE | KF_RET_NULL)', ' '] }] }])] },
    { name: 'flags reordered', version: '6.8', patches: [change('BTF_ID_FLAGS(func, bpf_foo, KF_ACQUIRE | KF_RET_NULL)', 'BTF_ID_FLAGS(func, bpf_foo, KF_RET_NULL | KF_ACQUIRE)')] },
    { name: 'whitespace only', version: '6.8', patches: [change('BTF_ID_FLAGS(func, bpf_foo, KF_ACQUIRE|KF_RET_NULL)', 'BTF_ID_FLAGS(func, bpf_foo, KF_ACQUIRE | KF_RET_NULL)')] },
  ],
  invalid: [
    { name: 'the seed: push_front becomes a release kfunc', version: '6.2', patches: [change('BTF_ID_FLAGS(func, bpf_list_push_front)', 'BTF_ID_FLAGS(func, bpf_list_push_front, KF_RELEASE | KF_RELEASE_NON_OWN)')],
      findings: [{ kind: 'changed', message: 'from (no flags) to KF_RELEASE | KF_RELEASE_NON_OWN: its referenced argument is now consumed', file: HELPERS, line: 2051, severity: 'warning' }] },
    { name: 'bpf_rbtree_remove gains KF_RET_NULL (v6.4)', version: '6.4', patches: [change('BTF_ID_FLAGS(func, bpf_rbtree_remove, KF_ACQUIRE)', 'BTF_ID_FLAGS(func, bpf_rbtree_remove, KF_ACQUIRE | KF_RET_NULL)')],
      findings: [{ kind: 'changed', message: 'programs must now NULL-check what it returns' }] },
    { name: 'dropping KF_TRUSTED_ARGS', version: '6.8', patches: [change('BTF_ID_FLAGS(func, bpf_task_acquire, KF_ACQUIRE | KF_TRUSTED_ARGS)', 'BTF_ID_FLAGS(func, bpf_task_acquire, KF_ACQUIRE)')],
      findings: [{ kind: 'changed', message: 'no longer applies KF_TRUSTED_ARGS' }] },
  ],
});
