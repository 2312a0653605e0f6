import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { HELPERS, kfuncDiff } from '../../test/rules/support/kfunc-patches.js';
import { patchBody } from '../../test/rules/support/make-patch.js';

const one = (sig: string, flags = 'KF_RET_NULL') => kfuncDiff([{ sig, flags }]);
const k = one('void *bpf_foo_new(void *type__k)');

describeRule(rule, {
  valid: [
    { name: 'bpf_obj_new_impl: __k scalar, __ign pointer', version: '6.2', patches: [one('void *bpf_obj_new_impl(u64 local_type_id__k, void *meta__ign)', 'KF_ACQUIRE | KF_RET_NULL').body] },
    { name: 'a memory/size pair', version: '6.8', patches: [one('int bpf_foo_read(void *dst, u32 dst__sz, const char *name__str)', '').body] },
    { name: 'dynptr constructor with __uninit', version: '6.8', patches: [one('int bpf_dynptr_from_foo(struct foo *f, u64 flags, struct bpf_dynptr_kern *ptr__uninit)', '').body] },
    { name: '__nullable pointer at 7.1', version: '7.1', patches: [one('int bpf_foo_req(struct foo *f, u8 *buf__nullable, size_t buf__sz)', '').body] },
    { name: 'not a kfunc: the suffix rules do not apply', version: '6.8', patches: [patchBody('bpf: helper', [{ file: HELPERS, hunks: [{ at: 100, lines: [' }', ' ', '+static int copy_len(u32 *len__sz)', '+{', '+\treturn 0;', '+}', '+', ' static int helper_after(void)'] }] }])] },
  ],
  invalid: [
    { name: '__k on a pointer', version: '6.8', patches: [k.body], findings: [{ kind: 'scalarSuffix', message: 'type__k ends in __k', file: HELPERS, line: k.def[0], severity: 'warning' }] },
    { name: '__sz on a pointer', version: '6.8', patches: [one('int bpf_foo_read(void *dst, u32 *dst__sz)', '').body], findings: [{ kind: 'scalarSuffix', message: 'the size of the memory' }] },
    { name: '__sz after a scalar', version: '6.8', patches: [one('int bpf_foo_fill(u32 flags, u32 len__sz)', '').body], findings: [{ kind: 'sizeWithoutPointer' }] },
    { name: '__uninit on a scalar', version: '6.8', patches: [one('int bpf_foo_init(u64 flags__uninit)', '').body], findings: [{ kind: 'pointerSuffix', message: '"u64"' }] },
    { name: '__str on a non-char pointer', version: '6.8', patches: [one('int bpf_foo_lookup(const u32 *name__str)', '').body], findings: [{ kind: 'strNotChar' }] },
    { name: '__nullable on a scalar', version: '7.1', patches: [one('int bpf_foo_maybe(u32 id__nullable)', '').body], findings: [{ kind: 'pointerSuffix' }] },
    { name: '__opt at 7.1', version: '7.1', patches: [one('int bpf_foo_opt(void *buf__opt, u32 buf__sz)', '').body], findings: [{ kind: 'optGone', message: 'buf__nullable' }] },
  ],
});
