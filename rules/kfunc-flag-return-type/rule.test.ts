import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { HELPERS, kfuncDiff, kfuncTreeEdit } from '../../test/rules/support/kfunc-patches.js';
import { kernelTree } from '../../test/rules/support/trees.js';

const one = (sig: string, flags: string) => kfuncDiff([{ sig, flags }]);
const t68 = kernelTree('6.8');
const bad = kfuncTreeEdit(t68, [{ sig: 'int bpf_foo_get(struct foo *f)', flags: 'KF_ACQUIRE' }]);

describeRule(rule, {
  valid: [
    { name: 'acquire returning a struct pointer, maybe NULL', version: '6.8', patches: [one('struct task_struct *bpf_task_get(struct task_struct *p)', 'KF_ACQUIRE | KF_RET_NULL').body] },
    { name: 'bpf_obj_new_impl returns void * and is exempt', version: '6.2', patches: [one('void *bpf_obj_new_impl(u64 local_type_id__k, void *meta__ign)', 'KF_ACQUIRE | KF_RET_NULL').body] },
    { name: 'bpf_ct_insert_entry: KF_ACQUIRE | KF_RELEASE | KF_RET_NULL', version: '6.8', patches: [one('struct nf_conn *bpf_ct_insert_entry(struct nf_conn___init *nfct_i)', 'KF_ACQUIRE | KF_RELEASE | KF_RET_NULL').body] },
    { name: 'iterator next returns int * with KF_RET_NULL', version: '6.8', patches: [one('int *bpf_iter_num_next(struct bpf_iter_num *it)', 'KF_ITER_NEXT | KF_RET_NULL').body] },
    { name: 'test_run.c registers broken kfuncs for negative selftests', version: '6.8', patches: [kfuncDiff([{ sig: 'int *bpf_kfunc_call_test_acq_rdonly_mem(struct prog_test_ref_kfunc *p, const int rdonly_buf_size)', flags: 'KF_ACQUIRE' }]).body.replaceAll('kernel/bpf/helpers.c', 'net/bpf/test_run.c')] },
    { name: 'no definition in sight: nothing judged', version: '6.8', patches: [kfuncDiff([]).body] },
  ],
  invalid: [
    { name: 'acquire returning int', version: '6.8', patches: [one('int bpf_foo_get(struct foo *f)', 'KF_ACQUIRE').body],
      findings: [{ kind: 'acquireNotStructPtr', message: 'acquire kernel function does not return PTR_TO_BTF_ID', file: HELPERS, line: one('int bpf_foo_get(struct foo *f)', 'KF_ACQUIRE').reg[0], severity: 'error' }] },
    { name: 'acquire returning a char pointer', version: '6.8', patches: [one('char *bpf_foo_name(struct foo *f)', 'KF_ACQUIRE | KF_RET_NULL').body],
      findings: [{ kind: 'acquireNotStructPtr', message: '"char *"' }] },
    { name: 'KF_RET_NULL on a void kfunc', version: '6.8', patches: [one('void bpf_foo_reset(struct foo *f)', 'KF_RET_NULL').body],
      findings: [{ kind: 'retNullScalar', message: 'no effect', severity: 'warning' }] },
    ...([{ name: 'tree mode: acquire returning int', tree: t68, patches: [bad.body], findings: [{ kind: 'acquireNotStructPtr', line: bad.reg[0] }] }]),
  ],
});
