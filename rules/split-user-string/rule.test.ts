import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { patchBody } from '../../test/rules/support/make-patch.js';

const V = 'kernel/bpf/verifier.c';
const add = (lines: string[]) => patchBody('bpf: report conversion failure', [{ file: V, hunks: [{ at: 40, lines: [' \tif (!ref_obj_id) {', ...lines.map((l) => '+' + l), ' \t\treturn -EFAULT;', ' \t}'] }] }]);

describeRule(rule, {
  valid: [
    { name: 'message on one line', patches: [add(['\t\tverbose(env, "verifier internal error: ref_obj_id is zero for owning -> non-owning conversion\\n");'])] },
    { name: 'pieces that end in \\n are separate log lines', patches: [add(['\t\tpr_warn("first line\\n"', '\t\t\t"second line\\n");'])] },
    { name: 'a split string outside any log call', patches: [add(['\t\tstatic const char *help = "usage: foo "', '\t\t\t"bar";'])] },
    { name: 'format on one line, arguments on the next', patches: [add(['\t\tverbose(env, "R%d type=%s\\n",', '\t\t\tregno, reg_type_str(env, t));'])] },
  ],
  invalid: [
    { name: 'the seed: verbose() split in the middle of a sentence', patches: [add(['\t\tverbose(env, "verifier internal error: ref_obj_id is zero for "', '\t\t\t     "owning -> non-owning conversion\\n");'])],
      findings: [{ kind: 'split', message: 'the verbose() message is split across lines', file: V, line: 42, severity: 'info' }] },
    { name: 'pr_err with the format on its own lines', patches: [add(['\t\tpr_err(', '\t\t       "bpf: cannot load "', '\t\t       "program %s\\n", name);'])],
      findings: [{ message: 'pr_err()', line: 43 }] },
  ],
});
