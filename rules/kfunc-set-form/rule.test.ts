import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { patchBody } from '../../test/rules/support/make-patch.js';

const F = 'net/foo/foo_bpf.c';
const set = (start: string, end: string) => patchBody('net: foo: add kfuncs', [{ file: F, hunks: [{ at: 40, lines: [' __bpf_kfunc_end_defs();', ' ', `+${start}(foo_kfunc_ids)`, '+BTF_ID_FLAGS(func, bpf_foo_get, KF_ACQUIRE | KF_RET_NULL)', `+${end}(foo_kfunc_ids)`, '+', ' static int __init foo_init(void)'] }] }]);

describeRule(rule, {
  valid: [
    { name: 'BTF_KFUNCS_START at 6.9', version: '6.9', patches: [set('BTF_KFUNCS_START', 'BTF_KFUNCS_END')] },
    { name: 'BTF_SET8_START was the form until 6.8', version: '6.8', patches: [set('BTF_SET8_START', 'BTF_SET8_END')] },
    { name: 'a BTF_SET8 id set without kfunc flags', version: '7.1', patches: [patchBody('bpf: deny list', [{ file: F, hunks: [{ at: 40, lines: [' ', '+BTF_SET8_START(foo_deny)', '+BTF_ID(func, foo_bad)', '+BTF_SET8_END(foo_deny)', ' '] }] }])] },
    { name: 'version unknown: not judged', patches: [set('BTF_SET8_START', 'BTF_SET8_END')] },
  ],
  invalid: [
    { name: 'BTF_SET8_START for kfuncs at 7.1', version: '7.1', patches: [set('BTF_SET8_START', 'BTF_SET8_END')],
      findings: [{ kind: 'set8', message: 'BTF_KFUNCS_START(foo_kfunc_ids)', file: F, line: 42, severity: 'error' }] },
  ],
});
