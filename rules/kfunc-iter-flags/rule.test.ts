import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { HELPERS, kfuncDiff, regDiff } from '../../test/rules/support/kfunc-patches.js';

const iter = [
  { sig: 'int bpf_iter_foo_new(struct bpf_iter_foo *it, int start)', flags: 'KF_ITER_NEW' },
  { sig: 'int *bpf_iter_foo_next(struct bpf_iter_foo *it)', flags: 'KF_ITER_NEXT | KF_RET_NULL' },
  { sig: 'void bpf_iter_foo_destroy(struct bpf_iter_foo *it)', flags: 'KF_ITER_DESTROY' },
];
const one = (sig: string, flags: string) => kfuncDiff([{ sig, flags }]);

describeRule(rule, {
  valid: [
    { name: 'a well-formed iterator triple', version: '6.8', patches: [kfuncDiff(iter).body] },
    { name: 'iterator registrations whose definitions are elsewhere', version: '6.8', patches: [regDiff(['BTF_ID_FLAGS(func, bpf_iter_num_next, KF_ITER_NEXT | KF_RET_NULL)']).body] },
    { name: 'not an iterator', version: '6.8', patches: [one('struct foo *bpf_foo_next(struct foo *f)', 'KF_RET_NULL').body] },
  ],
  invalid: [
    { name: 'two iterator flags', version: '6.8', patches: [regDiff(['BTF_ID_FLAGS(func, bpf_iter_foo_next, KF_ITER_NEW | KF_ITER_NEXT)']).body],
      findings: [{ kind: 'several', file: HELPERS, line: 302, severity: 'error' }] },
    { name: 'name does not match the flag', version: '6.8', patches: [regDiff(['BTF_ID_FLAGS(func, bpf_iter_foo_start, KF_ITER_NEW)']).body],
      findings: [{ kind: 'badName', message: 'bpf_iter_<type>_new' }] },
    { name: '_next without KF_RET_NULL', version: '6.8', patches: [regDiff(['BTF_ID_FLAGS(func, bpf_iter_foo_next, KF_ITER_NEXT)']).body],
      findings: [{ kind: 'nextNoRetNull', severity: 'warning' }] },
    { name: 'first argument is not the iterator', version: '6.8', patches: [one('int bpf_iter_foo_new(struct foo *f, int start)', 'KF_ITER_NEW').body],
      findings: [{ kind: 'arg0', message: 'struct bpf_iter_foo' }] },
    { name: '_next with two arguments returning int', version: '6.8', patches: [one('int bpf_iter_foo_next(struct bpf_iter_foo *it, int n)', 'KF_ITER_NEXT | KF_RET_NULL').body],
      findings: [{ kind: 'nargs' }, { kind: 'nextReturn' }] },
    { name: '_destroy returning int', version: '6.8', patches: [one('int bpf_iter_foo_destroy(struct bpf_iter_foo *it)', 'KF_ITER_DESTROY').body],
      findings: [{ kind: 'destroyReturn', message: '"int"' }] },
  ],
});
