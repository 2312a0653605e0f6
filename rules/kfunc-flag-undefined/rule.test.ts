import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { patchBody } from '../../test/rules/support/make-patch.js';
import '../../test/rules/support/register-facts.js';
import { edit, kernelTree } from '../../test/rules/support/trees.js';

const HELPERS = 'kernel/bpf/helpers.c';
const reg = (line: string) => patchBody('bpf: add a kfunc', [{
  file: HELPERS,
  hunks: [{ at: 10, lines: [' BTF_ID_FLAGS(func, bpf_obj_new_impl, KF_ACQUIRE | KF_RET_NULL)', '+' + line, ' BTF_ID_FLAGS(func, bpf_obj_drop_impl, KF_RELEASE)'] }],
}]);

const t68 = kernelTree('6.8');
const t71 = kernelTree('7.1');
const inTree = (t: Record<string, string>, line: string) => patchBody('bpf: add a kfunc', [edit(t, HELPERS, 'BTF_ID_FLAGS(func, bpf_task_release', [line])]);
const treeLine = t68[HELPERS]!.split('\n').findIndex((l) => l.includes('BTF_ID_FLAGS(func, bpf_task_release')) + 2;

describeRule(rule, {
  valid: [
    { name: 'KF_KPTR_GET is fine at 6.2', version: '6.2', patches: [reg('BTF_ID_FLAGS(func, bpf_kptr_get, KF_ACQUIRE | KF_KPTR_GET | KF_RET_NULL)')] },
    { name: 'KF_TRUSTED_ARGS is fine at 6.8', version: '6.8', patches: [reg('BTF_ID_FLAGS(func, bpf_task_get, KF_ACQUIRE | KF_TRUSTED_ARGS)')] },
    { name: 'iterator flags at 6.8', version: '6.8', patches: [reg('BTF_ID_FLAGS(func, bpf_iter_num_next, KF_ITER_NEXT | KF_RET_NULL)')] },
    { name: 'no flags at all', version: '7.1', patches: [reg('BTF_ID_FLAGS(func, bpf_list_push_front_impl)')] },
    { name: 'a flag the same series defines (diff-only, version known)', version: '6.2', patches: [patchBody('bpf: new flag', [
      { file: 'include/linux/btf.h', hunks: [{ at: 70, lines: [' #define KF_RCU          (1 << 7) /* kfunc only takes rcu pointer arguments */', '+#define KF_FOO          (1 << 8) /* kfunc foos */', ' '] }] },
      { file: HELPERS, hunks: [{ at: 10, lines: [' BTF_ID_FLAGS(func, bpf_obj_drop_impl, KF_RELEASE)', '+BTF_ID_FLAGS(func, bpf_foo, KF_FOO)', ' '] }] },
    ])] },
    { name: 'version unknown: a never-merged name the patch itself defines is not undefined', patches: [patchBody('bpf: KF_RELEASE_NON_OWN', [
      { file: 'include/linux/btf.h', hunks: [{ at: 70, lines: [' #define KF_RCU          (1 << 7) /* kfunc only takes rcu pointer arguments */', '+#define KF_RELEASE_NON_OWN\t(1 << 8) /* kfunc converts its referenced arg into non-owning ref */', ' '] }] },
      { file: HELPERS, hunks: [{ at: 10, lines: [' BTF_ID_FLAGS(func, bpf_obj_drop_impl, KF_RELEASE)', '-BTF_ID_FLAGS(func, bpf_list_push_front)', '+BTF_ID_FLAGS(func, bpf_list_push_front, KF_RELEASE | KF_RELEASE_NON_OWN)', ' '] }] },
    ])] },
    { name: 'version unknown: a removed flag is not judged', patches: [reg('BTF_ID_FLAGS(func, bpf_kptr_get, KF_ACQUIRE | KF_KPTR_GET | KF_RET_NULL)')] },
    ...([{ name: 'tree mode: the 6.8 tree defines KF_TRUSTED_ARGS', tree: t68, patches: [inTree(t68, 'BTF_ID_FLAGS(func, bpf_task_get, KF_ACQUIRE | KF_TRUSTED_ARGS)')] }]),
  ],
  invalid: [
    { name: 'KF_KPTR_GET is gone at 6.8', version: '6.8', patches: [reg('BTF_ID_FLAGS(func, bpf_kptr_get, KF_ACQUIRE | KF_KPTR_GET | KF_RET_NULL)')],
      findings: [{ kind: 'removed', message: 'KF_KPTR_GET is not defined at v6.8', file: HELPERS, line: 11, severity: 'error' }] },
    { name: 'KF_TRUSTED_ARGS is gone at 7.1', version: '7.1', patches: [reg('BTF_ID_FLAGS(func, bpf_task_get, KF_ACQUIRE | KF_TRUSTED_ARGS)')],
      findings: [{ kind: 'removed', message: 'trusted arguments are now the default', line: 11 }] },
    { name: 'iterator flags do not exist at 6.3', version: '6.3', patches: [reg('BTF_ID_FLAGS(func, bpf_iter_num_next, KF_ITER_NEXT | KF_RET_NULL)')],
      findings: [{ kind: 'notYet', message: 'KF_ITER_NEXT does not exist yet at v6.3' }] },
    { name: 'never merged, without its define', version: '6.3', patches: [reg('BTF_ID_FLAGS(func, bpf_list_push_front, KF_RELEASE | KF_RELEASE_NON_OWN)')],
      findings: [{ kind: 'neverMerged', message: 'special_kfunc_list' }] },
    { name: 'doc-only KF_DEPRECATED, any version', patches: [reg('BTF_ID_FLAGS(func, bpf_old, KF_DEPRECATED)')],
      findings: [{ kind: 'docOnly', message: 'has never defined it', severity: 'error' }] },
    { name: 'pending fork name', version: '7.1', patches: [reg('BTF_ID_FLAGS(func, bpf_res_lock, KF_SPIN_LOCK)')],
      findings: [{ kind: 'pendingFork', message: 'merged as KF_SPINLOCK_SAFE' }] },
    { name: 'typo KF_RU', version: '6.8', patches: [reg('BTF_ID_FLAGS(func, bpf_cgroup_acquire, KF_ACQUIRE | KF_RU | KF_RET_NULL)')],
      findings: [{ kind: 'unknown', message: 'Is it a typo for KF_RCU?' }] },
    ...([{ name: 'tree mode: a typo against the tree\'s own defines', tree: t68, patches: [inTree(t68, 'BTF_ID_FLAGS(func, bpf_cgroup_acquire, KF_ACQUIRE | KF_RCUU)')],
      findings: [{ kind: 'unknown', message: 'typo for KF_RCU', file: HELPERS, line: treeLine }] },
    { name: 'tree mode: the 7.1 tree has no KF_TRUSTED_ARGS', tree: t71, patches: [inTree(t71, 'BTF_ID_FLAGS(func, bpf_task_get, KF_ACQUIRE | KF_TRUSTED_ARGS)')],
      findings: [{ kind: 'removed', message: 'KF_TRUSTED_ARGS is not defined at v7.1' }] }]),
  ],
});
