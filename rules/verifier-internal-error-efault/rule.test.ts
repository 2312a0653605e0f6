import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { patchBody } from '../../test/rules/support/make-patch.js';

const V = 'kernel/bpf/verifier.c';
const hunk = (lines: string[]) => patchBody('bpf: check', [{ file: V, hunks: [{ at: 500, lines: [' static int check_foo(struct bpf_verifier_env *env, int regno)', ' {', ...lines, ' \treturn 0;', ' }'] }] }]);

describeRule(rule, {
  valid: [
    { name: 'internal error returning -EFAULT', patches: [hunk(['+\tif (!state->active_lock.ptr) {', '+\t\tverbose(env, "verifier internal error: ref_set_non_owning w/o active lock\\n");', '+\t\treturn -EFAULT;', '+\t}'])] },
    { name: 'verifier_bug_if then -EFAULT', patches: [hunk(['+\tif (verifier_bug_if(!reg, env, "no reg"))', '+\t\treturn -EFAULT;'])] },
    { name: 'a user error returning -EINVAL', patches: [hunk(['+\tverbose(env, "R%d must be referenced\\n", regno);', '+\treturn -EINVAL;'])] },
    { name: 'returning a variable is not judged', patches: [hunk(['+\tverbose(env, "verifier internal error: bad state\\n");', '+\treturn err;'])] },
  ],
  invalid: [
    { name: 'internal error returning -EINVAL', patches: [hunk(['+\tverbose(env, "verifier internal error: unexpected ptr_reg\\n");', '+\treturn -EINVAL;'])],
      findings: [{ kind: 'notEfault', message: 'returns -EINVAL', file: V, line: 502, severity: 'warning' }] },
    { name: 'verifier_bug returning -EINVAL', patches: [hunk(['+\tverifier_bug(env, "unsupported BTF field type: %s", name);', '+\treturn -EINVAL;'])],
      findings: [{ kind: 'notEfault', message: 'verifier_bug()' }] },
    { name: 'verifier_bug_if guarding -EACCES', patches: [hunk(['+\tif (verifier_bug_if(cnt > 1, env, "more than one arg with ref_obj_id R%d %u %u", regno, a, b))', '+\t\treturn -EACCES;'])],
      findings: [{ kind: 'notEfault', message: '-EACCES' }] },
  ],
});
