import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { diffOf } from '../../test/rules/support/make-patch.js';

const diff = diffOf([{ file: 'kernel/bpf/verifier.c', hunks: [{ at: 5, lines: [' a', '-b', '+c'] }] }]);
const test = diffOf([{ file: 'tools/testing/selftests/bpf/progs/x.c', hunks: [{ at: 5, lines: [' a', '+c'] }] }]);
const mail = (trailers: string, d = diff) => `Fix the offset check.\n\n${trailers}Signed-off-by: Pat Author <pat@example.org>\n---\n${d}`;

describeRule(rule, {
  valid: [
    { name: 'bpf fix with Fixes:', patches: [{ subject: '[PATCH bpf] bpf: Fix the offset check', body: mail('Fixes: 6a3cd3318ff6 ("bpf: Migrate release_on_unlock logic to non-owning ref semantics")\n') }] },
    { name: 'bpf-next needs none', patches: [{ subject: '[PATCH bpf-next] bpf: Tidy', body: mail('') }] },
    { name: 'the selftest patch of a bpf fix series', cover: { subject: '[PATCH bpf 0/2] fix' }, patches: [
      { subject: '[PATCH bpf 1/2] bpf: Fix', body: mail('Fixes: 6a3cd3318ff6 ("bpf: x")\n') },
      { subject: '[PATCH bpf 2/2] selftests/bpf: Test the fix', body: mail('', test) },
    ] },
  ],
  invalid: [
    { name: 'bpf fix without Fixes:', patches: [{ subject: '[PATCH bpf] bpf: Fix the offset check', body: mail('') }],
      findings: [{ kind: 'missing', message: 'there is no Fixes: tag', patch: 1, file: null, severity: 'warning' }] },
    { name: 'v2 bpf series, kernel patch without Fixes:', cover: { subject: '[PATCH v2 bpf 0/2] fix' }, patches: [
      { subject: '[PATCH v2 bpf 1/2] bpf: Fix', body: mail('Reported-by: Someone <s@example.org>\n') },
      { subject: '[PATCH v2 bpf 2/2] selftests/bpf: Test the fix', body: mail('', test) },
    ], findings: [{ patch: 1 }] },
  ],
});
