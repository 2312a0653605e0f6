import { describe, expect, it } from 'vitest';
import type { Attachment, Message } from '../../model/message.js';
import { hasDiff, patchTextOf } from './patch-text-of.js';

const DIFF = ['diff --git a/f.c b/f.c', '--- a/f.c', '+++ b/f.c', '@@ -1 +1 @@', '-a', '+b', ''].join('\n');

function msg(body: string, attachments: Attachment[] = []): Message {
  return {
    source: 't', messageId: 'm@t', messageIdSynthesised: false, inReplyTo: null, references: [], subject: '[PATCH] x',
    from: null, to: [], cc: [], date: null, body, attachments, headers: {},
  };
}
const att = (text: string | null, contentType = 'text/x-patch'): Attachment => ({ filename: 'x.patch', contentType, text, size: text?.length ?? 0 });

describe('patchTextOf', () => {
  it('takes the body when it carries a diff', () => {
    expect(patchTextOf(msg(`Msg.\n---\n${DIFF}`, [att(DIFF)]))).toEqual({ text: `Msg.\n---\n${DIFF}`, fromAttachment: false });
  });

  it('takes the first text attachment with a diff when the body has none', () => {
    const t = patchTextOf(msg('See the attached patch.', [att(null, 'application/pdf'), att('just notes', 'text/plain'), att(`Fix.\n---\n${DIFF}`)]));
    expect(t).toEqual({ text: `Fix.\n---\n${DIFF}`, fromAttachment: true });
  });

  it('is null for a reply that only quotes a diff, and for a pull request with a diffstat only', () => {
    expect(patchTextOf(msg(DIFF.split('\n').map((l) => `> ${l}`).join('\n')))).toBeNull();
    expect(patchTextOf(msg('Please pull.\n\n f.c | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)\n'))).toBeNull();
  });

  it('recognises a plain unified diff and a CRLF body', () => {
    expect(hasDiff('--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n')).toBe(true);
    expect(hasDiff(DIFF.replace(/\n/g, '\r\n'))).toBe(true);
    expect(hasDiff('--- \n+++ nothing\ntext')).toBe(false);
  });
});
