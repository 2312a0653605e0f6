import { definePatchRule } from '../../src/engine/rule-kit.js';
import { filePath } from '../../src/model/diff.js';

const PROG_TESTS = /^tools\/testing\/selftests\/bpf\/(?:prog_tests\/[\w.-]+\.c|test_[\w.-]+\.c)$/;
const CHECK_CALL = /(?<![\w.>])CHECK\s*\(/;

export const rule = definePatchRule({
  id: 'selftest-check-deprecated',
  description: 'New test code in tools/testing/selftests/bpf/prog_tests uses the deprecated CHECK() macro instead of the ASSERT_*() family.',
  severity: 'warning',
  needs: [],
  source: 'tools/testing/selftests/bpf/test_progs.h (ASSERT_EQ/ASSERT_OK/ASSERT_OK_PTR ... print what failed; CHECK() is the older form); masoncl/review-prompts kernel/bpf.md used by the BPF CI bot: "Prefer ASSERT_* over the deprecated CHECK()" (bpf-semantics.md §6.13)',
  messages: {
    deprecated: 'This adds {{count}} CHECK() call(s) to {{file}}. CHECK() is deprecated in the BPF selftests; could these use the ASSERT_*() macros from test_progs.h instead (ASSERT_OK(), ASSERT_EQ(), ASSERT_OK_PTR() ...), which print the values that failed?',
  },
}, (ctx) => {
  for (const f of ctx.patch.files) {
    const path = filePath(f);
    if (!PROG_TESTS.test(path) || f.status === 'deleted') continue;
    const lines = f.hunks.flatMap((h) => h.lines);
    // a test that defines its own CHECK macro is not using the deprecated one
    if (lines.some((l) => /^\s*#\s*define\s+CHECK\b/.test(l.text))) continue;
    const added = lines.filter((l) => l.kind === 'add' && CHECK_CALL.test(l.text));
    const removed = lines.filter((l) => l.kind === 'del' && CHECK_CALL.test(l.text)).length;
    const count = added.length - removed;
    if (count <= 0) continue;
    ctx.report({ messageId: 'deprecated', data: { count, file: path }, file: path, line: added[0]!.newLine });
  }
});
