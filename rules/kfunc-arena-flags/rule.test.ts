import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { HELPERS, kfuncDiff } from '../../test/rules/support/kfunc-patches.js';

const one = (sig: string, flags: string) => kfuncDiff([{ sig, flags }]);
const ret = one('int bpf_arena_count(void *p__map)', 'KF_ARENA_RET');

describeRule(rule, {
  valid: [
    { name: 'bpf_arena_alloc_pages shape', version: '7.1', patches: [one('void *bpf_arena_alloc_pages(void *p__map, void *addr__ign, u32 page_cnt, int node_id, u64 flags)', 'KF_ARENA_RET | KF_ARENA_ARG2').body] },
    { name: 'bpf_arena_free_pages shape', version: '7.1', patches: [one('void bpf_arena_free_pages(void *p__map, void *ptr__ign, u32 page_cnt)', 'KF_SLEEPABLE | KF_ARENA_ARG2').body] },
  ],
  invalid: [
    { name: 'KF_ARENA_RET on an int return', version: '7.1', patches: [ret.body], findings: [{ kind: 'ret', file: HELPERS, line: ret.reg[0], severity: 'warning' }] },
    { name: 'KF_ARENA_ARG2 on a scalar', version: '7.1', patches: [one('void bpf_arena_touch(void *p__map, u32 page_cnt)', 'KF_ARENA_ARG2').body],
      findings: [{ kind: 'arg', message: 'argument 2 is "u32 page_cnt", not a pointer' }] },
    { name: 'KF_ARENA_ARG2 with one argument', version: '7.1', patches: [one('void bpf_arena_one(void *p__map)', 'KF_ARENA_ARG2').body],
      findings: [{ kind: 'arg', message: 'missing' }] },
  ],
});
