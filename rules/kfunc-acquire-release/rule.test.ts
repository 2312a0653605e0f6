import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { HELPERS, kfuncDiff } from '../../test/rules/support/kfunc-patches.js';

const one = (sig: string, flags: string) => kfuncDiff([{ sig, flags }]);
const two = one('struct foo *bpf_foo_swap(struct foo *old, struct foo *repl)', 'KF_ACQUIRE | KF_RELEASE | KF_RET_NULL');

describeRule(rule, {
  valid: [
    { name: 'bpf_ct_insert_entry: one pointer', version: '6.8', patches: [one('struct nf_conn *bpf_ct_insert_entry(struct nf_conn___init *nfct_i)', 'KF_ACQUIRE | KF_RELEASE | KF_RET_NULL').body] },
    { name: 'acquire only, two pointers', version: '6.8', patches: [one('struct foo *bpf_foo_find(struct foo_map *m, struct foo_key *k)', 'KF_ACQUIRE | KF_RET_NULL').body] },
    { name: 'the second pointer is an ignored meta argument', version: '6.8', patches: [one('struct foo *bpf_foo_move(struct foo *f, void *meta__ign)', 'KF_ACQUIRE | KF_RELEASE').body] },
  ],
  invalid: [
    { name: 'acquire and release with two object pointers', version: '6.8', patches: [two.body],
      findings: [{ kind: 'whichArg', message: 'old, repl', file: HELPERS, line: two.reg[0], severity: 'info' }] },
  ],
});
