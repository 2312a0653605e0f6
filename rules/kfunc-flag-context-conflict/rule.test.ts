import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { HELPERS, regDiff } from '../../test/rules/support/kfunc-patches.js';

const reg = (l: string) => regDiff([l]).body;

describeRule(rule, {
  valid: [
    { name: 'sleepable alone', version: '7.1', patches: [reg('BTF_ID_FLAGS(func, bpf_copy_from_user_str, KF_SLEEPABLE)')] },
    { name: 'RCU-protected iterator', version: '7.1', patches: [reg('BTF_ID_FLAGS(func, bpf_iter_task_new, KF_ITER_NEW | KF_RCU_PROTECTED)')] },
    { name: 'spin-lock-safe, not sleepable', version: '7.3', patches: [reg('BTF_ID_FLAGS(func, bpf_list_push_front_impl, KF_SPINLOCK_SAFE)')] },
  ],
  invalid: [
    { name: 'sleepable and RCU-protected', version: '7.1', patches: [reg('BTF_ID_FLAGS(func, bpf_foo, KF_SLEEPABLE | KF_RCU_PROTECTED)')],
      findings: [{ kind: 'sleepableRcuProtected', file: HELPERS, line: 302, severity: 'error' }] },
    { name: 'sleepable and spin-lock-safe', version: '7.3', patches: [reg('BTF_ID_FLAGS(func, bpf_arena_free_pages, KF_SLEEPABLE | KF_SPINLOCK_SAFE)')],
      findings: [{ kind: 'sleepableSpinlock', message: 'sleep in atomic context' }] },
    { name: 'sleepable and the pending-fork KF_SPIN_LOCK', version: '7.1', patches: [reg('BTF_ID_FLAGS(func, bpf_foo, KF_SLEEPABLE | KF_SPIN_LOCK)')],
      findings: [{ kind: 'sleepableSpinlock', message: 'KF_SPIN_LOCK' }] },
  ],
});
