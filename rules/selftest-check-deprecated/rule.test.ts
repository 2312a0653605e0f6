import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { patchBody } from '../../test/rules/support/make-patch.js';

const T = 'tools/testing/selftests/bpf/prog_tests/linked_list.c';
const add = (lines: string[], file = T) => patchBody('selftests/bpf: test it', [{ file, hunks: [{ at: 50, lines: [' \tskel = linked_list__open_and_load();', ...lines.map((l) => '+' + l), ' \tlinked_list__destroy(skel);'] }] }]);

describeRule(rule, {
  valid: [
    { name: 'ASSERT_* macros', patches: [add(['\tif (!ASSERT_OK_PTR(skel, "open_and_load"))', '\t\treturn;', '\tASSERT_EQ(skel->bss->ret, 0, "ret");'])] },
    { name: 'CHECK in a BPF program (progs/), where it is the test\'s own macro', patches: [add(['CHECK(kptr, push_front, &f->head);'], 'tools/testing/selftests/bpf/progs/linked_list_fail.c')] },
    { name: 'a test that defines its own CHECK macro', patches: [patchBody('x', [{ file: T, hunks: [{ at: 1, lines: [' #include <test_progs.h>', '+#define CHECK(x) do_check(x)', '+\tCHECK(1);'] }] }])] },
    { name: 'an existing CHECK call reworded', patches: [patchBody('x', [{ file: T, hunks: [{ at: 1, lines: [' {', '-\tCHECK(err, "load", "err %d\\n", err);', '+\tCHECK(err, "load", "failed: %d\\n", err);', ' }'] }] }])] },
    { name: 'CHECK_FAIL and other names are not CHECK', patches: [add(['\tCHECK_FAIL(err);', '\tMY_CHECK(err);'])] },
  ],
  invalid: [
    { name: 'new CHECK calls', patches: [add(['\tif (CHECK(!skel, "open_and_load", "failed\\n"))', '\t\treturn;', '\tCHECK(skel->bss->ret, "ret", "ret %d\\n", skel->bss->ret);'])],
      findings: [{ kind: 'deprecated', message: 'This adds 2 CHECK() call(s)', file: T, line: 51, severity: 'warning' }] },
  ],
});
