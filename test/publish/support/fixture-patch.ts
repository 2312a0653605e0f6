import type { Message } from '../../../src/model/index.js';

/** A small kernel-like patch mail body written for these tests (not kernel source). */
export const FIXTURE_BODY = `Add a flag that marks kfuncs which hand their argument over to a
container; the argument stays readable until the lock is dropped.

Signed-off-by: Jane Developer <jane@example.org>
---
 include/linux/btf.h  | 1 +
 kernel/bpf/helpers.c | 9 ++++++++-
 2 files changed, 9 insertions(+), 1 deletion(-)

diff --git a/include/linux/btf.h b/include/linux/btf.h
index 1111111..2222222 100644
--- a/include/linux/btf.h
+++ b/include/linux/btf.h
@@ -10,4 +10,5 @@
 #define KF_ACQUIRE	(1 << 0) /* kfunc is an acquire function */
 #define KF_RELEASE	(1 << 1) /* kfunc is a release function */
 #define KF_RET_NULL	(1 << 2) /* kfunc returns a pointer that may be NULL */
+#define KF_HANDOVER	(1 << 3) /* kfunc hands its argument over */
 
diff --git a/kernel/bpf/helpers.c b/kernel/bpf/helpers.c
index 3333333..4444444 100644
--- a/kernel/bpf/helpers.c
+++ b/kernel/bpf/helpers.c
@@ -100,7 +100,7 @@ static int demo_one(void)
 	int a = 1;
 	int b = 2;
 	int c = 3;
-	int d = 4;
+	int d = 5;
 	int e = 5;
 	int f = 6;
 	int g = 7;
@@ -200,6 +200,13 @@ static int demo_two(struct demo *p)
 	struct demo_rec *rec;
 	int err;
 
+	rec = demo_record(p);
+	if (!p)
+		return -EINVAL;
+	err = demo_use(rec);
+	if (err)
+		return err;
+	return demo_more(rec);
 	return 0;
 }
 
-- 
2.40.0
`;

export const JANE = { name: 'Jane Developer', address: 'jane@example.org' };

export function fixtureMessage(over: Partial<Message> = {}): Message {
  return {
    source: 'fixture',
    messageId: '20240101000000.1-2-jane@example.org',
    messageIdSynthesised: false,
    inReplyTo: '20240101000000.1-0-jane@example.org',
    references: ['20240101000000.1-0-jane@example.org'],
    subject: '[PATCH bpf-next 2/3] bpf: Add KF_HANDOVER for kfuncs that hand their argument over to a container',
    from: JANE,
    to: [{ name: '', address: 'bpf@vger.kernel.org' }],
    cc: [
      { name: 'Alexei Starovoitov', address: 'ast@kernel.org' },
      { name: 'Jane Developer', address: 'jane@example.org' },
      { name: 'Quiet Person', address: 'quiet@example.net' },
    ],
    date: '2024-01-01T00:00:00.000Z',
    body: FIXTURE_BODY,
    attachments: [],
    headers: {},
    ...over,
  };
}
