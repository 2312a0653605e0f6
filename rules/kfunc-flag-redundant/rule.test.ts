import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { HELPERS, regDiff } from '../../test/rules/support/kfunc-patches.js';

const reg = (l: string) => regDiff([l]).body;

describeRule(rule, {
  valid: [
    { name: 'KF_ACQUIRE | KF_RCU | KF_RET_NULL (bpf_cgroup_acquire)', version: '6.8', patches: [reg('BTF_ID_FLAGS(func, bpf_cgroup_acquire, KF_ACQUIRE | KF_RCU | KF_RET_NULL)')] },
    { name: 'KF_TRUSTED_ARGS | KF_RELEASE is not redundant at 6.3', version: '6.3', patches: [reg('BTF_ID_FLAGS(func, bpf_foo_release, KF_RELEASE | KF_TRUSTED_ARGS)')] },
    { name: 'KF_ACQUIRE | KF_RCU at 6.2 predates the advice', version: '6.2', patches: [reg('BTF_ID_FLAGS(func, bpf_task_acquire_not_zero, KF_ACQUIRE | KF_RCU)')] },
    { name: 'KF_ACQUIRE | KF_TRUSTED_ARGS', version: '6.8', patches: [reg('BTF_ID_FLAGS(func, bpf_task_acquire, KF_ACQUIRE | KF_TRUSTED_ARGS)')] },
  ],
  invalid: [
    { name: 'KF_ACQUIRE | KF_RCU without KF_RET_NULL', version: '6.8', patches: [reg('BTF_ID_FLAGS(func, bpf_foo_acquire, KF_ACQUIRE | KF_RCU)')],
      findings: [{ kind: 'acquireRcuNoRetNull', file: HELPERS, line: 302, severity: 'warning' }] },
    { name: 'KF_TRUSTED_ARGS | KF_RCU', version: '6.8', patches: [reg('BTF_ID_FLAGS(func, bpf_foo_get, KF_ACQUIRE | KF_TRUSTED_ARGS | KF_RCU | KF_RET_NULL)')],
      findings: [{ kind: 'trustedWithRcu', message: 'David Vernet', severity: 'info' }] },
    { name: 'KF_TRUSTED_ARGS | KF_RELEASE after v6.3', version: '6.8', patches: [reg('BTF_ID_FLAGS(func, bpf_foo_release, KF_RELEASE | KF_TRUSTED_ARGS)')],
      findings: [{ kind: 'trustedWithRelease', severity: 'info' }] },
    { name: 'version unknown: the version-free advice still applies', patches: [reg('BTF_ID_FLAGS(func, bpf_foo_acquire, KF_ACQUIRE | KF_RCU)')],
      findings: [{ kind: 'acquireRcuNoRetNull' }] },
  ],
});
