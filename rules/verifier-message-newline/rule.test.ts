import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { patchBody } from '../../test/rules/support/make-patch.js';

const V = 'kernel/bpf/verifier.c';
const hunk = (lines: string[]) => patchBody('bpf: check', [{ file: V, hunks: [{ at: 500, lines: [' static int check_foo(struct bpf_verifier_env *env, int regno)', ' {', ...lines, ' \treturn 0;', ' }'] }] }]);

describeRule(rule, {
  valid: [
    { name: 'message with \\n then return', patches: [hunk(['+\tif (!reg)', '+\t\treturn 0;', '+\tverbose(env, "R%d must be referenced\\n", regno);', '+\treturn -EINVAL;'])] },
    { name: 'a message split over two lines, ending in \\n', patches: [hunk(['+\tverbose(env, "verifier internal error: ref_obj_id is zero for "', '+\t\t     "owning -> non-owning conversion\\n");', '+\treturn -EFAULT;'])] },
    { name: 'a first line of a two-part message (no return right after)', patches: [hunk(['+\tverbose(env, "arg#%d ", regno);', '+\tverbose(env, "expected pointer\\n");', '+\treturn -EINVAL;'])] },
    { name: 'a %s format whose argument carries the newline', patches: [hunk(['+\tverbose(env, "%s", env->tmp_str_buf);', '+\treturn -EINVAL;'])] },
    { name: 'verifier_bug without \\n', patches: [hunk(['+\tif (verifier_bug_if(!reg, env, "no reg for R%d", regno))', '+\t\treturn -EFAULT;'])] },
    { name: 'an old message without \\n on a context line is not this patch\'s', patches: [hunk([' \tverbose(env, "expected prog array map for tail call");', ' \treturn -EINVAL;', '+\t/* comment */'])] },
  ],
  invalid: [
    { name: 'missing \\n before return', patches: [hunk(['+\tverbose(env, "failed to release release_on_unlock reference");', '+\treturn err;'])],
      findings: [{ kind: 'missingNewline', message: 'failed to release release_on_unlock reference', file: V, line: 502, severity: 'info' }] },
    { name: 'verifier_bug with a trailing \\n', patches: [hunk(['+\tverifier_bug(env, "unexpected reg_type %d in %s\\n", t, fn);', '+\treturn -EFAULT;'])],
      findings: [{ kind: 'extraNewline', message: 'verifier_bug() already appends' }] },
    { name: 'verifier_bug_if with a trailing \\n', patches: [hunk(['+\tif (verifier_bug_if(!reg, env, "func_info undefined\\n"))', '+\t\treturn -EFAULT;'])],
      findings: [{ kind: 'extraNewline', message: 'verifier_bug_if()' }] },
  ],
});
