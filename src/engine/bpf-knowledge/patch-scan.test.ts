import { describe, expect, it } from 'vitest';
import { parsePatchBody } from '../../ingest/diff/parse-patch-body.js';
import type { Patch } from '../../model/patch.js';
import { addedDefinitions, changedFlagsLines, newFlagDefines, parseFlagExpr, scanFlagsLines } from './patch-scan.js';
import { callArgs, verifierCalls } from './verifier-calls.js';

function patch(diff: string): Patch {
  const r = parsePatchBody(`bpf: x\n\nSigned-off-by: A <a@b.c>\n---\n${diff}`);
  if (!r.ok) throw r.error;
  return { ...r.value, counter: 1, messageId: 'x@y', subject: 'x', author: null, date: null, replies: [] };
}

const flags = patch(`diff --git a/kernel/bpf/helpers.c b/kernel/bpf/helpers.c
index 1..2 100644
--- a/kernel/bpf/helpers.c
+++ b/kernel/bpf/helpers.c
@@ -10,3 +10,5 @@ BTF_ID_FLAGS(func, crash_kexec, KF_DESTRUCTIVE)
 BTF_SET8_START(generic_btf_ids)
-BTF_ID_FLAGS(func, bpf_list_push_front)
+BTF_ID_FLAGS(func, bpf_list_push_front, KF_RELEASE | KF_RELEASE_NON_OWN)
+BTF_ID_FLAGS(func, bpf_new,
+	     KF_ACQUIRE | KF_RET_NULL)
 BTF_SET8_END(generic_btf_ids)
diff --git a/include/linux/btf.h b/include/linux/btf.h
index 1..2 100644
--- a/include/linux/btf.h
+++ b/include/linux/btf.h
@@ -20,1 +20,2 @@
-#define KF_RCU (1 << 7) /* rcu */
+#define KF_RCU\t\t(1 << 7) /* rcu */
+#define KF_NEW\t\t(1 << 8) /* new */
`);

describe('patch scanning', () => {
  it('reads BTF_ID_FLAGS lines, joined across lines, with the set and the previous flags', () => {
    expect(scanFlagsLines(flags).filter((l) => l.kind === 'add').map((l) => [l.name, l.flags, l.set, l.line])).toEqual([
      ['bpf_list_push_front', ['KF_RELEASE', 'KF_RELEASE_NON_OWN'], 'generic_btf_ids', 11],
      ['bpf_new', ['KF_ACQUIRE', 'KF_RET_NULL'], 'generic_btf_ids', 12],
    ]);
    expect(changedFlagsLines(flags).map((l) => [l.name, l.before])).toEqual([['bpf_list_push_front', []], ['bpf_new', null]]);
  });
  it('tells new flag defines from realigned ones', () => {
    expect(newFlagDefines(flags).map((d) => [d.name, d.bit, d.comment, d.line])).toEqual([['KF_NEW', 8, 'new', 21]]);
    expect(parseFlagExpr('(KF_A | KF_B) | 0')).toEqual(['KF_A', 'KF_B']);
  });
  it('finds definitions the patch adds', () => {
    const p = patch(`diff --git a/kernel/bpf/helpers.c b/kernel/bpf/helpers.c
index 1..2 100644
--- a/kernel/bpf/helpers.c
+++ b/kernel/bpf/helpers.c
@@ -10,2 +10,8 @@
 }
+__bpf_kfunc
+struct foo *bpf_foo(struct foo *f,
+		    u32 flags)
+{
+	return f;
+}
 
`);
    expect(addedDefinitions(p).map((d) => [d.name, d.line, d.proto.params.length, d.proto.hasBpfKfuncAnnotation])).toEqual([['bpf_foo', 11, 2, true]]);
  });
  it('reads verifier calls: format, the return after them, commas inside strings', () => {
    expect(callArgs('verbose(env, "a, b %d\\n", x);')).toEqual(['env', '"a, b %d\\n"', 'x']);
    const p = patch(`diff --git a/kernel/bpf/verifier.c b/kernel/bpf/verifier.c
index 1..2 100644
--- a/kernel/bpf/verifier.c
+++ b/kernel/bpf/verifier.c
@@ -10,2 +10,6 @@
 {
+	if (verifier_bug_if(!reg, env, "no reg %d\\n", 1))
+		return -EINVAL;
+	verbose(env, "x");
+	return 0;
 }
`);
    expect(verifierCalls(p).map((c) => [c.fn, c.format, c.returns, c.line])).toEqual([['verifier_bug_if', 'no reg %d\\n', '-EINVAL', 11], ['verbose', 'x', '0', 13]]);
  });
});
