import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { HELPERS, kfuncDiff, regDiff } from '../../test/rules/support/kfunc-patches.js';

const one = (sig: string, flags: string) => kfuncDiff([{ sig, flags }], 'bpf: add kptr_get');

describeRule(rule, {
  valid: [
    { name: 'bpf_kfunc_call_test_kptr_get shape', version: '6.2', patches: [one('struct prog_test_ref_kfunc *bpf_test_kptr_get(struct prog_test_ref_kfunc **pp, int a, int b)', 'KF_ACQUIRE | KF_RET_NULL | KF_KPTR_GET').body] },
    { name: 'not a kptr_get kfunc', version: '6.2', patches: [one('struct foo *bpf_foo_get(struct foo *f)', 'KF_ACQUIRE | KF_RET_NULL').body] },
  ],
  invalid: [
    { name: 'KF_KPTR_GET alone', version: '6.2', patches: [regDiff(['BTF_ID_FLAGS(func, bpf_foo_kptr_get, KF_KPTR_GET)']).body],
      findings: [{ kind: 'missingFlags', message: 'without KF_ACQUIRE and KF_RET_NULL', file: HELPERS, line: 302, severity: 'error' }] },
    { name: 'single pointer argument', version: '6.2', patches: [one('struct foo *bpf_foo_kptr_get(struct foo *p)', 'KF_ACQUIRE | KF_KPTR_GET | KF_RET_NULL').body],
      findings: [{ kind: 'notDoublePointer', message: 'must be a double pointer' }] },
  ],
});
