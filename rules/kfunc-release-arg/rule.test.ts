import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { HELPERS, kfuncDiff } from '../../test/rules/support/kfunc-patches.js';

const one = (sig: string, flags: string) => kfuncDiff([{ sig, flags }]);
const noPtr = one('void bpf_foo_put(u32 id)', 'KF_RELEASE');

describeRule(rule, {
  valid: [
    { name: 'release taking the object', version: '6.8', patches: [one('void bpf_task_release(struct task_struct *p)', 'KF_RELEASE').body] },
    { name: 'bpf_obj_drop_impl takes void *', version: '6.2', patches: [one('void bpf_obj_drop_impl(void *p__alloc, void *meta__ign)', 'KF_RELEASE').body] },
    { name: 'bpf_ct_insert_entry', version: '6.8', patches: [one('struct nf_conn *bpf_ct_insert_entry(struct nf_conn___init *nfct_i)', 'KF_ACQUIRE | KF_RELEASE | KF_RET_NULL').body] },
    { name: 'scalar-only kfunc without KF_RELEASE', version: '6.8', patches: [one('u64 bpf_foo_count(u32 id)', '').body] },
  ],
  invalid: [
    { name: 'release with only a scalar argument', version: '6.8', patches: [noPtr.body],
      findings: [{ kind: 'noPointer', message: 'expects refcounted PTR_TO_BTF_ID', file: HELPERS, line: noPtr.reg[0], severity: 'error' }] },
    { name: 'release with no argument', version: '6.8', patches: [one('void bpf_foo_put_all(void)', 'KF_RELEASE').body],
      findings: [{ kind: 'noPointer', message: 'bpf_foo_put_all(void)' }] },
  ],
});
