import { describe, expect, it } from 'vitest';
import type { PatchBody } from '../../model/patch.js';
import { diffstatAgrees, parsePatchBody } from './parse-patch-body.js';

function body(text: string): PatchBody {
  const r = parsePatchBody(text);
  if (!r.ok) throw r.error;
  return r.value;
}

const DIFF = [
  'diff --git a/kernel/bpf/helpers.c b/kernel/bpf/helpers.c',
  'index af30c6cbd65d..e041409779c3 100644',
  '--- a/kernel/bpf/helpers.c',
  '+++ b/kernel/bpf/helpers.c',
  '@@ -20,3 +20,3 @@ BTF_ID_FLAGS(func, bpf_obj_new_impl)',
  ' BTF_ID_FLAGS(func, bpf_obj_drop_impl, KF_RELEASE)',
  '-BTF_ID_FLAGS(func, bpf_list_push_front)',
  '+BTF_ID_FLAGS(func, bpf_list_push_front, KF_RELEASE)',
  ' BTF_ID_FLAGS(func, bpf_list_pop_front, KF_ACQUIRE)',
];

const PATCH = [
  'The push kfuncs release their node argument: mark them KF_RELEASE',
  'so that the verifier drops the reference.',
  '',
  'Fixes: 0123456789ab ("bpf: Add linked list kfuncs")',
  'Signed-off-by: Ann Author <ann@example.org>',
  'Acked-by: Rev Iewer <rev@example.org>',
  '---',
  'v1 -> v2:',
  ' - reworded the message',
  '',
  ' kernel/bpf/helpers.c | 2 +-',
  ' 1 file changed, 1 insertion(+), 1 deletion(-)',
  '',
  ...DIFF,
  '',
  'base-commit: 1111111111111111111111111111111111111111',
  'prerequisite-patch-id: 2222222222222222222222222222222222222222',
  'prerequisite-patch-id: 3333333333333333333333333333333333333333',
  '-- ',
  '2.39.2',
  '',
].join('\n');

describe('parsePatchBody', () => {
  it('cuts a format-patch body into its parts', () => {
    const b = body(PATCH);
    expect(b.commitMessage).toBe('The push kfuncs release their node argument: mark them KF_RELEASE\nso that the verifier drops the reference.');
    expect(b.trailers.map((t) => t.name)).toEqual(['Fixes', 'Signed-off-by', 'Acked-by']);
    expect(b.notes).toBe('v1 -> v2:\n - reworded the message');
    expect(b.diffstat).toEqual([{ path: 'kernel/bpf/helpers.c', changes: '2 +-' }]);
    expect(b.diffBodyLine).toBe(14);
    expect(b.diffText.startsWith('diff --git a/kernel/bpf/helpers.c')).toBe(true);
    expect(b.diffText).not.toContain('base-commit');
    expect(b.files).toHaveLength(1);
    expect(b.files[0]!.hunks[0]!.lines[2]).toMatchObject({ kind: 'add', newLine: 21, bodyLine: 21 });
    expect(b.signature).toBe('2.39.2');
    expect(b.baseCommit).toBe('1111111111111111111111111111111111111111');
    expect(b.prerequisitePatchIds).toEqual(['2222222222222222222222222222222222222222', '3333333333333333333333333333333333333333']);
    expect(diffstatAgrees(b).ok).toBe(true);
  });

  it('gives the same result for a CRLF body', () => {
    const a = body(PATCH);
    const b = body(PATCH.replace(/\n/g, '\r\n'));
    expect(b.files).toEqual(a.files);
    expect(b.commitMessage).toBe(a.commitMessage);
    expect(b.signature).toBe('2.39.2');
  });

  it('drops everything above a scissors line and reads in-body From/Subject', () => {
    const b = body([
      'Thanks for the report, does this fix it?',
      '',
      '-- >8 --',
      'From: Real Author <real@example.org>',
      'Subject: [PATCH] bpf: fix it',
      '',
      'Fix the thing.',
      '',
      'Signed-off-by: Real Author <real@example.org>',
      '---',
      ...DIFF,
    ].join('\n'));
    expect(b.commitMessage).toBe('Fix the thing.');
    expect(b.inBodyFrom).toEqual({ name: 'Real Author', address: 'real@example.org' });
    expect(b.inBodySubject).toBe('[PATCH] bpf: fix it');
    expect(b.files).toHaveLength(1);
    expect(b.signature).toBeNull();
  });

  it('does not take prose that mentions scissors for a scissors line', () => {
    const b = body(['This line is not a scissors mark -- >8 -- but talks about it.', '', 'Signed-off-by: A <a@b.c>', '---', ...DIFF].join('\n'));
    expect(b.commitMessage).toBe('This line is not a scissors mark -- >8 -- but talks about it.');
  });

  it('reads a patch whose --- separator is missing', () => {
    const b = body(['Message.', '', 'Signed-off-by: A <a@b.c>', '', ...DIFF, '-- ', '2.1'].join('\n'));
    expect(b.commitMessage).toBe('Message.');
    expect(b.trailers).toHaveLength(1);
    expect(b.notes).toBe('');
    expect(b.diffstat).toEqual([]);
    expect(b.files).toHaveLength(1);
  });

  it('reads a cover letter (no diff) with base-commit and change-id, and it is not an error', () => {
    const b = body([
      'This series does things.', '', 'Ann Author (1):', '  bpf: a', '', ' kernel/bpf/helpers.c | 2 +-',
      ' 1 file changed, 1 insertion(+), 1 deletion(-)', '', '---', 'base-commit: abcdef0123', 'change-id: 20240101-topic-0123abcd', '',
      'Best regards,', '-- ', 'Ann Author <ann@example.org>',
    ].join('\n'));
    expect(b.files).toEqual([]);
    expect(b.diffText).toBe('');
    expect(b.diffBodyLine).toBe(0);
    expect(b.baseCommit).toBe('abcdef0123');
    expect(b.changeId).toBe('20240101-topic-0123abcd');
    expect(b.signature).toBe('Ann Author <ann@example.org>');
  });

  it('reads a plain unified diff (no diff --git line)', () => {
    const b = body(['Msg.', '---', '--- a/f.c', '+++ b/f.c', '@@ -1 +1 @@', '-a', '+b'].join('\n'));
    expect(b.files.map((f) => f.newPath)).toEqual(['f.c']);
    expect(b.diffBodyLine).toBe(3);
  });

  it('names a diff whose counts are broken (a mailer ate a line)', () => {
    const broken = PATCH.replace('-BTF_ID_FLAGS(func, bpf_list_push_front)\n', '');
    const r = parsePatchBody(broken);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('broken-diff');
      expect(r.error.message).toContain('kernel/bpf/helpers.c');
      expect(r.error.message).toContain('@@ -20,3 +20,3 @@');
    }
  });

  it('names a body that carries the same diff twice', () => {
    const r = parsePatchBody(['Msg.', '---', ...DIFF, '', 'Resent below:', '', ...DIFF, '-- ', '2.1'].join('\n'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/appears twice/);
  });

  it('names a second patch after the signature', () => {
    const r = parsePatchBody(['Msg.', '---', ...DIFF, '-- ', '2.1', '', 'Another one:', 'Msg 2.', '---', ...DIFF].join('\n'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/second diff follows the signature/);
  });

  it('does not take a removed "- " line for the signature', () => {
    const b = body(['Drop an empty bullet.', '---', 'diff --git a/doc.rst b/doc.rst', '--- a/doc.rst', '+++ b/doc.rst', '@@ -1,3 +1,2 @@', ' Items:', '-- ', ' - one', '-- ', '2.40.0', ''].join('\n'));
    expect(b.files[0]!.hunks[0]!.lines.map((l) => [l.kind, l.text])).toEqual([['ctx', 'Items:'], ['del', '- '], ['ctx', '- one']]);
    expect(b.signature).toBe('2.40.0');
  });
});
