import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { HELPERS } from '../../test/rules/support/kfunc-patches.js';
import { patchBody } from '../../test/rules/support/make-patch.js';

const BTF = 'include/linux/btf.h';
const p = (msg: string, def: string, uses: string[]) => patchBody(msg, [
  { file: BTF, hunks: [{ at: 70, lines: [' #define KF_RCU          (1 << 7) /* kfunc only takes rcu pointer arguments */', `+${def}`, ' '] }] },
  ...(uses.length ? [{ file: HELPERS, hunks: [{ at: 2050, lines: [' BTF_ID_FLAGS(func, bpf_obj_drop_impl, KF_RELEASE)', ...uses.map((u) => '+' + u), ' '] }] }] : []),
]);

describeRule(rule, {
  valid: [
    { name: 'a flag used alone', version: '6.2', patches: [p('bpf: add KF_PERFMON', '#define KF_PERFMON (1 << 8)', ['BTF_ID_FLAGS(func, bpf_a, KF_PERFMON)', 'BTF_ID_FLAGS(func, bpf_b, KF_PERFMON | KF_RET_NULL)'])] },
    { name: 'one use next to other flags is not enough evidence', version: '6.2', patches: [p('bpf: add KF_FOO', '#define KF_FOO (1 << 8)', ['BTF_ID_FLAGS(func, bpf_a, KF_FOO | KF_ACQUIRE)'])] },
    { name: 'KF_RCU_PROTECTED introduced on iterator constructors only', version: '6.6', patches: [p('bpf: css_task iter', '#define KF_RCU_PROTECTED (1 << 11) /* kfunc should be protected by rcu cs when they are invoked */', ['BTF_ID_FLAGS(func, bpf_iter_task_new, KF_ITER_NEW | KF_RCU_PROTECTED)', 'BTF_ID_FLAGS(func, bpf_iter_css_task_new, KF_ITER_NEW | KF_RCU_PROTECTED)'])] },
    { name: 'several uses with different companions', version: '6.2', patches: [p('bpf: add KF_FOO', '#define KF_FOO (1 << 8)', ['BTF_ID_FLAGS(func, bpf_a, KF_FOO | KF_ACQUIRE)', 'BTF_ID_FLAGS(func, bpf_b, KF_FOO | KF_RELEASE)'])] },
  ],
  invalid: [
    { name: 'the seed shape: always with KF_RELEASE, and said so', version: '6.2', patches: [p('bpf: non-owning refs\n\nNew KF_RELEASE_NON_OWN flag is added, to be used in conjunction with\nKF_RELEASE to indicate that the release arg reg should be converted.',
      '#define KF_RELEASE_NON_OWN\t(1 << 8) /* kfunc converts its referenced arg into non-owning ref */',
      ['BTF_ID_FLAGS(func, bpf_list_push_front, KF_RELEASE | KF_RELEASE_NON_OWN)', 'BTF_ID_FLAGS(func, bpf_list_push_back, KF_RELEASE | KF_RELEASE_NON_OWN)'])],
      findings: [{ kind: 'onlyWith', message: 'only used together with KF_RELEASE (bpf_list_push_front, bpf_list_push_back), and the commit message says', file: BTF, line: 71, severity: 'warning' }] },
    { name: 'always with one flag, nothing said', version: '6.2', patches: [p('bpf: add KF_BAR', '#define KF_BAR (1 << 8)', ['BTF_ID_FLAGS(func, bpf_a, KF_ACQUIRE | KF_BAR)', 'BTF_ID_FLAGS(func, bpf_b, KF_BAR | KF_ACQUIRE)'])],
      findings: [{ kind: 'onlyWith', message: 'only used together with KF_ACQUIRE (bpf_a, bpf_b)' }] },
    { name: 'described as a companion flag, no user yet', version: '6.2', patches: [p('bpf: add KF_BAZ\n\nKF_BAZ is only meaningful with KF_ACQUIRE.', '#define KF_BAZ (1 << 8)', [])],
      findings: [{ kind: 'describedWith', message: 'used together with KF_ACQUIRE' }] },
  ],
});
