import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { HELPERS, kfuncDiff, regDiff } from '../../test/rules/support/kfunc-patches.js';
import { patchBody } from '../../test/rules/support/make-patch.js';

const one = (sig: string, flags: string) => kfuncDiff([{ sig, flags }]);
const PROG = 'tools/testing/selftests/bpf/progs/foo.c';
const prog = (call: string) => ({ file: PROG, hunks: [{ at: 20, lines: [' SEC("tc")', ' int foo_test(void *ctx)', ' {', `+\t${call}`, ' \treturn 0;'] }] });

describeRule(rule, {
  valid: [
    { name: 'implicit bpf_prog_aux argument', version: '7.1', patches: [one('void *bpf_obj_new(u64 local_type_id__k, struct bpf_prog_aux *aux)', 'KF_ACQUIRE | KF_RET_NULL | KF_IMPLICIT_ARGS').body] },
    { name: 'a program calling the BPF-facing name', version: '7.1', patches: [patchBody('selftests/bpf: foo', [
      { file: HELPERS, hunks: [{ at: 300, lines: [' BTF_KFUNCS_START(generic_btf_ids)', '+BTF_ID_FLAGS(func, bpf_foo, KF_IMPLICIT_ARGS)', ' BTF_KFUNCS_END(generic_btf_ids)'] }] }, prog('bpf_foo(1);')])] },
    { name: 'a legacy _impl kfunc that is registered itself (bpf_wq_set_callback_impl)', version: '7.1', patches: [patchBody('bpf: wq', [
      { file: HELPERS, hunks: [{ at: 300, lines: [' BTF_KFUNCS_START(generic_btf_ids)', '+BTF_ID_FLAGS(func, bpf_wq_set_callback, KF_IMPLICIT_ARGS)', ' BTF_ID_FLAGS(func, bpf_wq_set_callback_impl)', ' BTF_KFUNCS_END(generic_btf_ids)'] }] }, prog('bpf_wq_set_callback_impl(wq, cb, 0, NULL);')])] },
    { name: 'a negative test calling _impl on purpose, and its extern declaration', version: '7.1', patches: [patchBody('selftests/bpf: foo', [
      { file: HELPERS, hunks: [{ at: 300, lines: [' BTF_KFUNCS_START(generic_btf_ids)', '+BTF_ID_FLAGS(func, bpf_foo, KF_IMPLICIT_ARGS)', ' BTF_KFUNCS_END(generic_btf_ids)'] }] },
      { file: PROG, hunks: [{ at: 5, lines: [' #include "bpf_misc.h"', '+extern int bpf_foo_impl(int a, void *aux__prog) __weak __ksym;', '+SEC("syscall")', '+__failure', '+int foo_impl_illegal(void *ctx)', '+{', '+\treturn bpf_foo_impl(5, NULL);', '+}', ' '] }] }])] },
  ],
  invalid: [
    { name: 'no bpf_prog_aux parameter', version: '7.1', patches: [one('int bpf_foo(int x)', 'KF_IMPLICIT_ARGS').body],
      findings: [{ kind: 'noProgAux', file: HELPERS, line: one('int bpf_foo(int x)', 'KF_IMPLICIT_ARGS').reg[0], severity: 'warning' }] },
    { name: 'registered under the _impl name', version: '7.1', patches: [regDiff(['BTF_ID_FLAGS(func, bpf_foo_impl, KF_IMPLICIT_ARGS)']).body],
      findings: [{ kind: 'implName', message: 'should the BTF_ID_FLAGS line name bpf_foo?' }] },
    { name: 'a program calling the _impl variant', version: '7.1', patches: [patchBody('selftests/bpf: foo', [
      { file: HELPERS, hunks: [{ at: 300, lines: [' BTF_KFUNCS_START(generic_btf_ids)', '+BTF_ID_FLAGS(func, bpf_foo, KF_IMPLICIT_ARGS)', ' BTF_KFUNCS_END(generic_btf_ids)'] }] }, prog('bpf_foo_impl(1, NULL);')])],
      findings: [{ kind: 'callsImpl', file: PROG, line: 23 }] },
  ],
});
