import { describeRule } from '../../src/engine/rule-test-table.js';
import type { ModelFlip, PatchModelView } from '../../src/engine/rule-kit.js';
import { rule } from './rule.js';
import { patchBody } from '../../test/rules/support/make-patch.js';

const V = 'kernel/bpf/verifier.c';
const T = 'tools/testing/selftests/bpf/progs/linked_list_fail.c';
const verifierPatch = { subject: '[PATCH bpf-next 1/2] bpf: non-owning refs', body: patchBody('bpf: non-owning refs', [{ file: V, hunks: [{ at: 100, lines: [' static int f(void)', ' {', '+\t/* new semantics */', ' \treturn 0;'] }] }]) };
const selftestPatch = { subject: '[PATCH bpf-next 2/2] selftests/bpf: update linked_list tests', body: patchBody('selftests/bpf: update linked_list tests', [{ file: T, hunks: [{ at: 10, lines: [' SEC("?tc")', '-int write_after_push_front(void *ctx)', '+int write_after_push_front_removed(void *ctx)', ' {'] }] }]) };
const flip = (o: Partial<ModelFlip>): ModelFlip => ({ program: 'write_after_push_front', file: T, before: 'reject', after: 'accept', expectedBefore: 'reject', expectedAfter: 'reject', fixedBy: 2, message: null, line: 11, ...o });
const view = (flips: ModelFlip[]): PatchModelView => ({ flips, disagreements: [] });
const cover = { subject: '[PATCH bpf-next 0/2] bpf: non-owning refs' };

describeRule(rule, {
  valid: [
    { name: 'no flips', cover, patches: [verifierPatch, selftestPatch], models: [view([]), view([])] },
    { name: 'the expectation is updated in the same patch', cover, patches: [verifierPatch, selftestPatch], models: [view([flip({ expectedAfter: 'accept', fixedBy: null })]), view([])] },
    { name: 'the flip makes the prediction agree with the expectation', cover, patches: [verifierPatch], models: [view([flip({ before: 'accept', after: 'reject', expectedBefore: 'reject', expectedAfter: 'reject', fixedBy: null })])] },
  ],
  invalid: [
    { name: 'a later patch fixes it: the series does not bisect', cover, patches: [verifierPatch, selftestPatch], models: [view([flip({ message: 'only read is supported' })]), view([])],
      findings: [{ kind: 'flip', message: 'Patch 2/2 ("selftests/bpf: update linked_list tests") updates it', patch: 0, file: null, severity: 'warning' }] },
    { name: 'nothing fixes it', cover, patches: [verifierPatch], models: [view([flip({ fixedBy: null })])],
      findings: [{ kind: 'flip', message: 'No later patch of the series updates it' }] },
  ],
});
