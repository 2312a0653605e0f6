import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { diffOf } from '../../test/rules/support/make-patch.js';

const diff = diffOf([{ file: 'kernel/bpf/verifier.c', hunks: [{ at: 5, lines: [' a', '-b', '+c'] }] }]);
const mail = (trailers: string, notes = '') => `Fix the offset check.\n\nFixes: 6a3cd3318ff6 ("bpf: x")\n${trailers}Signed-off-by: Pat Author <pat@example.org>\n---\n${notes}${diff}`;

describeRule(rule, {
  valid: [
    { name: 'no Cc: stable', patches: [{ subject: '[PATCH bpf] bpf: Fix', body: mail('') }] },
    { name: 'the stable request below the --- line, as bpf_devel_QA asks', patches: [{ subject: '[PATCH bpf] bpf: Fix', body: mail('', 'Please queue for stable (Cc: stable@vger.kernel.org).\n\n') }] },
    { name: 'not a BPF patch', patches: [{ subject: '[PATCH] mm: fix', body: `Fix.\n\nCc: stable@vger.kernel.org\nSigned-off-by: Pat Author <pat@example.org>\n---\n${diffOf([{ file: 'mm/slab.c', hunks: [{ at: 5, lines: [' a', '-b', '+c'] }] }])}` }] },
    { name: 'other Cc: trailers', patches: [{ subject: '[PATCH bpf] bpf: Fix', body: mail('Cc: Alexei Starovoitov <ast@kernel.org>\n') }] },
  ],
  invalid: [
    { name: 'Cc: stable trailer', patches: [{ subject: '[PATCH bpf] bpf: Fix', body: mail('Cc: stable@vger.kernel.org\n') }],
      findings: [{ kind: 'ccStable', message: 'The description has "Cc: stable@vger.kernel.org"', patch: 1, file: null, severity: 'warning' }] },
    { name: 'Cc: stable with a version comment', patches: [{ subject: '[PATCH bpf] bpf: Fix', body: mail('Cc: <stable@vger.kernel.org> # 6.1+\n') }],
      findings: [{ message: 'ask the BPF maintainers to queue the patches instead' }] },
  ],
});
