import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { patchBody } from '../../test/rules/support/make-patch.js';

const body = patchBody('bpf: x', [{ file: 'kernel/bpf/verifier.c', hunks: [{ at: 5, lines: [' a', '-b', '+c'] }] }]);

describeRule(rule, {
  valid: [
    { name: 'a single patch', patches: [{ subject: '[PATCH bpf-next] bpf: x', body }] },
    { name: 'two patches and a cover letter', cover: { subject: '[PATCH bpf-next 0/2] bpf: x', body: 'What and why.' }, patches: [body, body] },
  ],
  invalid: [
    { name: 'the seed: a 2-patch respin without cover letter', patches: [{ subject: '[PATCH bpf-next 1/2] bpf: Migrate release_on_unlock logic to non-owning ref semantics', body }, { subject: '[PATCH bpf-next 2/2] selftests/bpf: Update linked_list tests for non-owning ref semantics', body }],
      findings: [{ kind: 'missing', message: 'This series has 2 patches but no cover letter', patch: 0, file: null, severity: 'warning' }] },
  ],
});
