import { describeRule } from '../../src/engine/rule-test-table.js';
import type { ModelDisagreement, PatchModelView } from '../../src/engine/rule-kit.js';
import { rule } from './rule.js';
import { patchBody } from '../../test/rules/support/make-patch.js';

const T = 'tools/testing/selftests/bpf/progs/rbtree_fail.c';
const test = patchBody('selftests/bpf: rbtree test', [{ file: T, hunks: [{ at: 40, lines: [' ', '+SEC("?tc")', '+__failure __msg("rbtree_remove node input must be non-owning ref")', '+long rbtree_api_remove_twice(void *ctx)', '+{', '+\treturn 0;', '+}', ' '] }] }]);
const d = (o: Partial<ModelDisagreement>): ModelDisagreement => ({ program: 'rbtree_api_remove_twice', file: T, line: 43, expected: 'a failure with "rbtree_remove node input must be non-owning ref"', predicted: 'success', reason: 'the second bpf_rbtree_remove gets a non-owning ref', ...o });
const view = (ds: ModelDisagreement[]): PatchModelView => ({ flips: [], disagreements: ds });

describeRule(rule, {
  valid: [
    { name: 'the model agrees', patches: [test], models: [view([])] },
    { name: 'a disagreement about a selftest this patch does not touch', patches: [test], models: [view([d({ program: 'other_test', file: 'tools/testing/selftests/bpf/progs/linked_list_fail.c', line: 300 })])] },
    { name: 'no model: not run', patches: [test] },
  ],
  invalid: [
    { name: 'a new selftest the model disagrees with', patches: [test], models: [view([d({})])],
      findings: [{ kind: 'disagrees', message: 'predicts success', file: T, line: 43, severity: 'warning' }] },
    { name: 'no line from the model: the added line naming the program', patches: [test], models: [view([d({ line: null })])],
      findings: [{ kind: 'disagrees', line: 43 }] },
  ],
});
