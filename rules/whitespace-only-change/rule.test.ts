import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { patchBody } from '../../test/rules/support/make-patch.js';

const V = 'kernel/bpf/verifier.c';
const fix = { at: 200, lines: [' \tif (err) {', '-\t\tverbose(env, "failed");', '+\t\tverbose(env, "failed\\n");', ' \t\treturn err;'] };

describeRule(rule, {
  valid: [
    { name: 'a pure whitespace cleanup patch', patches: [patchBody('bpf: fix indentation', [{ file: V, hunks: [{ at: 10, lines: [' {', '-        int i;', '+\tint i;', ' '] }] }])] },
    { name: 'lines re-indented because they moved into a new block', patches: [patchBody('bpf: guard the loop', [{ file: V, hunks: [{ at: 10, lines: [' \tint i;', '-\tfor (i = 0; i < n; i++)', '-\t\tx[i] = 0;', '+\tif (n) {', '+\t\tfor (i = 0; i < n; i++)', '+\t\t\tx[i] = 0;', '+\t}', ' \treturn 0;'] }] }])] },
    { name: 'a #define group realigned for a new, longer flag in the same file', patches: [patchBody('bpf: add a flag', [{ file: 'include/linux/btf.h', hunks: [
      { at: 18, lines: ['-#define KF_ACQUIRE\t(1 << 0) /* kfunc is an acquire function */', '-#define KF_RELEASE\t(1 << 1) /* kfunc is a release function */', '+#define KF_ACQUIRE\t\t(1 << 0) /* kfunc is an acquire function */', '+#define KF_RELEASE\t\t(1 << 1) /* kfunc is a release function */', ' /* Trusted arguments */'] },
      { at: 70, lines: [' #define KF_RCU\t\t\t(1 << 7)', '+#define KF_RELEASE_NON_OWN\t(1 << 8) /* kfunc converts its referenced arg into non-owning ref */', ' '] },
    ] }])] },
    { name: 'a functional change only', patches: [patchBody('bpf: newline', [{ file: V, hunks: [fix] }])] },
  ],
  invalid: [
    { name: 'an unrelated re-indented line next to a fix', patches: [patchBody('bpf: newline', [{ file: V, hunks: [fix, { at: 400, lines: [' static int f(void)', ' {', '-        return 0;', '+\treturn 0;', ' }'] }] }])],
      findings: [{ kind: 'split', message: '1 line(s) here in kernel/bpf/verifier.c only change whitespace', file: V, line: 402, severity: 'info' }] },
    { name: 'trailing blanks removed in another file', patches: [patchBody('bpf: newline', [{ file: V, hunks: [fix] }, { file: 'kernel/bpf/btf.c', hunks: [{ at: 30, lines: [' {', '-\tint a; ', '-\tint b;\t', '+\tint a;', '+\tint b;', ' '] }] }])],
      findings: [{ message: '2 line(s) here in kernel/bpf/btf.c', file: 'kernel/bpf/btf.c', line: 31 }] },
  ],
});
