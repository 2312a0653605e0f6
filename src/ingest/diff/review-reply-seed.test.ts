/**
 * Review replies of the seed thread, placed against their patches (read in place from ../shared).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { describeShared, sharedPath } from '../../../test/support/shared-data.js';
import type { DiffLine, FileDiff } from '../../model/diff.js';
import type { Message } from '../../model/message.js';
import { loadMail } from './fixtures/load-mail.js';
import { parsePatchBody } from './parse-patch-body.js';
import { parseReviewReply } from './parse-review-reply.js';

interface Loaded {
  msg: Message;
  files: FileDiff[];
}

async function loadPatch(path: string): Promise<Loaded> {
  const msg = await loadMail(path);
  const r = parsePatchBody(msg.body);
  if (!r.ok) throw r.error;
  return { msg, files: r.value.files };
}

function file(dir: string, prefix: string): string {
  const f = readdirSync(dir).find((x) => x.startsWith(prefix) && x.endsWith('.eml'));
  if (!f) throw new Error(`${prefix} not in ${dir}`);
  return join(dir, f);
}

/** The diff line whose text contains `needle`, in file `path`. */
function lineOf(files: FileDiff[], path: string, needle: string): DiffLine {
  const f = files.find((x) => x.newPath === path)!;
  const hits = f.hunks.flatMap((h) => h.lines).filter((l) => l.text.includes(needle));
  expect(hits, needle).toHaveLength(1);
  return hits[0]!;
}

describeShared('seed thread b: replies to v2 02/13 against the rebuilt patch', () => {
  const dir = sharedPath('seed', 'thread', 'b-v2-02of13-replies-parent-not-available');
  let patch: Loaded;
  beforeAll(async () => {
    patch = await loadPatch(sharedPath('seed', 'reconstructed', 'v2-02-13.mbox'));
  });
  const against = async (prefix: string) =>
    parseReviewReply(await loadMail(file(dir, prefix)), { messageId: patch.msg.messageId, files: patch.files });

  it("David Vernet's review lands on the KF_RELEASE_NON_OWN define and on the push_back flags", async () => {
    const cs = await against('02-');
    expect(cs).toHaveLength(2);
    // Hand-computed from the hunk headers: btf.h @@ -67,10 +67,11 @@ -> the 5th added line is 74;
    // helpers.c @@ -2049,8 +2049,8 @@ -> 2049..2051 context, 2052 push_front, 2053 push_back.
    expect(cs[0]).toMatchObject({ file: 'include/linux/btf.h', line: 74, side: 'new', reviewer: { address: 'void@manifault.com' } });
    expect(cs[0]!.comment).toMatch(/^It would be nice if we could come up with new kfunc flag names/);
    expect(cs[0]!.comment).toMatch(/a specific lock\.$/);
    expect(cs[1]).toMatchObject({ file: 'kernel/bpf/helpers.c', line: 2053, side: 'new' });
    expect(cs[1]!.comment).toMatch(/^I don't think a helper should specify both of these flags together\./);
    // The sign-off and the snip mark are not review.
    expect(cs[1]!.comment).not.toMatch(/Thanks|\[\.\.\.\]|David$/);
    expect(cs[1]!.comment).toMatch(/important context here\.$/);
    expect(cs.every((c) => c.inReplyTo === '20221217082506.1570898-3-davemarchevsky@fb.com')).toBe(true);
    expect(cs[0]!.quoted.at(-1)).toBe(`+${lineOf(patch.files, 'include/linux/btf.h', 'KF_RELEASE_NON_OWN').text}`);
  });

  it("the robot's smatch report and Alexei's later reply quote no diff: no placed comments", async () => {
    expect(await against('01-')).toEqual([]);
    expect(await against('03-')).toEqual([]);
  });

  it('a seed-shaped reply (patch quoted at two levels, the first reviewer in between) lands where the seed says', () => {
    // The seed review (shared/seed/000_*.txt) lost its line breaks; rebuild its shape from the patch's own lines:
    // Alexei quotes the patch ("> ") and writes under it; David answers that mail ("> > " patch, "> " Alexei).
    const body = patch.msg.body.split('\n');
    const quote = (from: DiffLine | number, to: DiffLine, prefix: string): string[] =>
      body.slice((typeof from === 'number' ? from : from.bodyLine) - 1, to.bodyLine).map((l) => `${prefix}${l}`);
    const hunkOf = (path: string, l: DiffLine): number =>
      patch.files.find((f) => f.newPath === path)!.hunks.find((h) => h.lines.includes(l))!.bodyLine;
    const enumLine = lineOf(patch.files, 'include/linux/bpf.h', 'BPF_GRAPH_NODE_OR_ROOT');
    const lockLine = lineOf(patch.files, 'include/linux/bpf_verifier.h', 'non_owning_ref_lock;');
    const flagLine = lineOf(patch.files, 'include/linux/btf.h', 'define KF_RELEASE_NON_OWN');

    const alexei = [
      'On Sat, Dec 17, 2022 at 12:24:55AM -0800, Dave Marchevsky wrote:',
      ...quote(hunkOf('include/linux/bpf_verifier.h', lockLine) - 4, lockLine, '> '),
      '',
      'In your other email you argue that pointer should be enough.',
      'We have to do the comparison of this new ID via idmap as well.',
      '',
      ...quote(hunkOf('include/linux/btf.h', flagLine), flagLine, '> '),
      '',
      'No need for this flag.',
    ].join('\n');
    const david = [
      'On Wed, Dec 28, 2022 at 07:56:00PM -0800, Alexei Starovoitov wrote:',
      '> On Sat, Dec 17, 2022 at 12:24:55AM -0800, Dave Marchevsky wrote:',
      ...quote(hunkOf('include/linux/bpf.h', enumLine) - 4, enumLine, '> > '),
      '',
      'Can you update the rest of the elements here to keep common indentation?',
      '',
      '> >  };',
    ].join('\n');
    const mk = (b: string, name: string, address: string): Message => ({ ...patch.msg, messageId: `${name}@test`, from: { name, address }, body: b });

    const a = parseReviewReply(mk(alexei, 'Alexei Starovoitov', 'alexei.starovoitov@gmail.com'), { messageId: patch.msg.messageId, files: patch.files });
    expect(a.map((c) => [c.file, c.line, c.side])).toEqual([
      ['include/linux/bpf_verifier.h', 87, 'new'],
      ['include/linux/btf.h', 74, 'new'],
    ]);
    expect(a[0]!.comment).toMatch(/via idmap/);
    expect(a[1]!.comment).toBe('No need for this flag.');

    const d = parseReviewReply(mk(david, 'David Vernet', 'void@manifault.com'), { messageId: patch.msg.messageId, files: patch.files });
    expect(d).toHaveLength(1);
    // bpf.h @@ -180,6 +180,7 @@: three context lines, then the new enum member at 183.
    expect(d[0]).toMatchObject({ file: 'include/linux/bpf.h', line: 183, side: 'new', comment: 'Can you update the rest of the elements here to keep common indentation?' });
  });
});

describeShared('seed thread a: replies to the 2-patch respin', () => {
  const dir = sharedPath('seed', 'thread', 'a-alexei-2patch-series-no-cover');
  let p1: Loaded;
  beforeAll(async () => {
    p1 = await loadPatch(file(dir, '01-'));
  });
  const against = async (prefix: string) =>
    parseReviewReply(await loadMail(file(dir, prefix)), { messageId: p1.msg.messageId, files: p1.files });

  it("Alexei's own follow-up (Gmail turned tabs into spaces) lands on dst_reg->id = -map->id", async () => {
    const cs = await against('03-');
    expect(cs).toHaveLength(1);
    // @@ -11959,7 +11956,10 @@: 3 context lines (11956..11958), then 4 added: the 4th is 11962.
    expect(cs[0]).toMatchObject({ file: 'kernel/bpf/verifier.c', line: 11962, side: 'new' });
    expect(cs[0]!.comment).toMatch(/^Here is what I meant in my earlier reply/);
    expect(cs[0]!.comment).toMatch(/Thoughts\?$/);
    expect(cs[0]!.comment).not.toMatch(/wrote:/);
  });

  it('deeper replies that quote the same hunk at depth 2 and 3 place their first comment on it too', async () => {
    for (const prefix of ['04-', '05-']) {
      const cs = await against(prefix);
      expect(cs.length, prefix).toBe(1);
      expect(cs[0]).toMatchObject({ file: 'kernel/bpf/verifier.c', line: 11962 });
    }
  });
});

describeShared('bpf-list-threads: every reply against the patch it answers', () => {
  it('places comments on the line the reviewer quoted last (checked against the patch text)', async () => {
    const root = sharedPath('corpus', 'bpf-list-threads');
    const all = new Map<string, Message>();
    for (const d of readdirSync(root)) {
      for (const f of readdirSync(join(root, d)).filter((x) => x.endsWith('.eml'))) {
        const m = await loadMail(join(root, d, f));
        all.set(m.messageId, m);
      }
    }
    const patches = new Map<string, FileDiff[]>();
    for (const m of all.values()) {
      if (/^\s*re:/i.test(m.subject)) continue;
      const r = parsePatchBody(m.body);
      if (r.ok && r.value.files.length > 0) patches.set(m.messageId, r.value.files);
    }
    let comments = 0;
    let placed = 0;
    const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();
    for (const m of all.values()) {
      if (patches.has(m.messageId)) continue;
      const parent = [m.inReplyTo, ...[...m.references].reverse()].find((id): id is string => !!id && patches.has(id));
      if (!parent) continue;
      const files = patches.get(parent)!;
      for (const c of parseReviewReply(m, { messageId: parent, files })) {
        comments++;
        expect(c.comment.trim()).not.toBe('');
        if (c.line === null) continue;
        placed++;
        const f = files.find((x) => (x.newPath ?? x.oldPath) === c.file)!;
        const target = f.hunks.flatMap((h) => h.lines).find((l) => (c.side === 'old' ? l.kind === 'del' && l.oldLine === c.line : l.kind !== 'del' && l.newLine === c.line))!;
        expect(target, `${m.messageId} ${c.file}:${c.line}`).toBeDefined();
        // The placed line is one the reviewer quoted in the run above the comment.
        const quotedTexts = c.quoted.filter((q) => /^[-+ ]/.test(q)).map((q) => norm(q.slice(1)));
        expect(quotedTexts, `${m.messageId} ${c.file}:${c.line}`).toContain(norm(target.text));
      }
    }
    expect(comments).toBeGreaterThan(150);
    expect(placed / comments).toBeGreaterThan(0.95);
  }, 60_000);
});
