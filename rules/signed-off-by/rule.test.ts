import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { diffOf } from '../../test/rules/support/make-patch.js';

const diff = diffOf([{ file: 'kernel/bpf/verifier.c', hunks: [{ at: 5, lines: [' a', '-b', '+c'] }] }]);
const mail = (trailers: string, pre = '') => `${pre}Fix the offset check.\n\n${trailers}---\n${diff}`;
const pat = { name: 'Pat Author', address: 'pat@example.org' };

describeRule(rule, {
  valid: [
    { name: 'author signed off', patches: [{ body: mail('Signed-off-by: Pat Author <pat@example.org>\n'), from: pat }] },
    { name: 'same name, another address (list rewrote it)', patches: [{ body: mail('Signed-off-by: Pat Author <pat@corp.example.com>\n'), from: pat }] },
    { name: 'in-body From: of the real author, who signed off', patches: [{ body: mail('Signed-off-by: Real Dev <real@example.org>\nSigned-off-by: Pat Author <pat@example.org>\n', 'From: Real Dev <real@example.org>\n\n'), from: pat }] },
    { name: 'a "--" line instead of "---" before the notes', patches: [{ body: `Fix the offset check.\n\nSigned-off-by: Pat Author <pat@example.org>\n\n--\n\nno changes in v10\n\n${diff}`, from: pat }] },
    { name: 'Co-developed-by followed by its Signed-off-by', patches: [{ body: mail('Co-developed-by: Co Dev <co@example.org>\nSigned-off-by: Co Dev <co@example.org>\nSigned-off-by: Pat Author <pat@example.org>\n'), from: pat }] },
  ],
  invalid: [
    { name: 'no Signed-off-by at all', patches: [{ body: mail('Acked-by: Someone <s@example.org>\n'), from: pat }],
      findings: [{ kind: 'missing', message: 'There is no Signed-off-by: line', patch: 1, file: null, severity: 'error' }] },
    { name: 'author did not sign off', patches: [{ body: mail('Signed-off-by: Other Person <other@example.org>\n'), from: pat }],
      findings: [{ kind: 'author', message: 'The patch is from Pat Author <pat@example.org>', severity: 'warning' }] },
    { name: 'Co-developed-by without its Signed-off-by', patches: [{ body: mail('Co-developed-by: Co Dev <co@example.org>\nSigned-off-by: Pat Author <pat@example.org>\n'), from: pat }],
      findings: [{ kind: 'coDeveloped', message: 'Co-developed-by: Co Dev <co@example.org> is not immediately followed', severity: 'warning' }] },
  ],
});
