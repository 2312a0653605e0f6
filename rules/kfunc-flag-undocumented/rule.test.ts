import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { patchBody } from '../../test/rules/support/make-patch.js';

const BTF = 'include/linux/btf.h';
const RST = 'Documentation/bpf/kfuncs.rst';
const def = { file: BTF, hunks: [{ at: 70, lines: [' #define KF_RCU          (1 << 7) /* kfunc only takes rcu pointer arguments */', '+#define KF_FOO          (1 << 8) /* kfunc foos */', ' '] }] };
const doc = { file: RST, hunks: [{ at: 200, lines: [' ', '+2.4.9 KF_FOO flag', '+-----------------', '+', '+The KF_FOO flag marks kfuncs that foo.', '+', ' 2.5 Registering the kfuncs'] }] };

describeRule(rule, {
  valid: [
    { name: 'documented in the same patch', version: '6.2', patches: [patchBody('bpf: KF_FOO', [def, doc])] },
    { name: 'documented in a later patch of the series', version: '6.2', patches: [patchBody('bpf: KF_FOO', [def]), patchBody('bpf, docs: KF_FOO', [doc])] },
    { name: 'realigned existing defines are not new flags', version: '6.2', patches: [patchBody('bpf: align', [{ file: BTF, hunks: [{ at: 70, lines: ['-#define KF_RCU (1 << 7)', '+#define KF_RCU\t\t(1 << 7)', ' '] }] }])] },
  ],
  invalid: [
    { name: 'a new flag without docs', version: '6.2', patches: [patchBody('bpf: KF_FOO', [def])],
      findings: [{ kind: 'undocumented', message: 'KF_FOO flag', file: BTF, line: 71, severity: 'warning' }] },
  ],
});
