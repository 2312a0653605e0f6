import { describe, expect, it } from 'vitest';
import type { Message } from '../../model/message.js';
import { factsOf } from '../thread/facts-of.js';
import { memberCounter } from '../thread/group-members.js';
import { Interner, compactMail, detach, slimMessage } from './compact-mail.js';

const PATCH_BODY = [
  'Fix it.',
  '',
  'Signed-off-by: Alice <alice@example.org>',
  '---',
  'diff --git a/kernel/bpf/verifier.c b/kernel/bpf/verifier.c',
  '--- a/kernel/bpf/verifier.c',
  '+++ b/kernel/bpf/verifier.c',
  '@@ -1 +1 @@',
  '-a',
  '+b',
  '',
].join('\n');

function mail(id: string, subject: string, body: string, inReplyTo: string | null = null): Message {
  return {
    source: `m#${id}`, messageId: id, messageIdSynthesised: false, inReplyTo, references: inReplyTo ? [inReplyTo] : [],
    subject, from: { name: 'Alice', address: 'alice@example.org' }, to: [{ name: 'x', address: 'x@y' }], cc: [],
    date: '2024-03-01T10:00:00.000Z', body, attachments: [], headers: { 'x-mailer': 'git' },
  };
}

describe('compactMail', () => {
  it('keeps what assembly needs, drops bodies and hunks, shares people and trailers', () => {
    const ids = new Interner();
    const a = mail('a@x', '[PATCH 1/2] one', PATCH_BODY);
    const b = mail('b@x', '[PATCH 2/2] two', PATCH_BODY, 'a@x');
    const ca = compactMail(factsOf(a), a, ids);
    const cb = compactMail(factsOf(b), b, ids);
    expect(ca.body).toBe('');
    expect(ca.to).toEqual([]);
    expect(ca.headers).toEqual({});
    expect(ca.patch?.ok && ca.patch.value.files.map((f) => [f.newPath, f.hunks.length, f.added])).toEqual([['kernel/bpf/verifier.c', 0, 1]]);
    expect(ca.patch?.ok && ca.patch.value.diffText).toBe('');
    expect(ca.from).toBe(cb.from);
    expect(ca.patch?.ok && cb.patch?.ok && ca.patch.value.trailers[0]).toBe(cb.patch?.ok && cb.patch.value.trailers[0]);
    expect(cb.inReplyTo).toBe(ca.messageId);
    expect(memberCounter(cb)).toBe(2);
    expect(cb.parsed.title).toBe('two');
  });

  it('a reply keeps its follow-up trailers but not its subject reading', () => {
    const ids = new Interner();
    const r = mail('r@x', 'Re: [PATCH 1/2] one', '> quoted\n\nAcked-by: Alice <alice@example.org>\n', 'a@x');
    const c = compactMail(factsOf(r), r, ids);
    expect(memberCounter(c)).toBeNull();
    expect(c.followupTrailers.map((t) => t.name)).toEqual(['Acked-by']);
    expect(c.subject).toBe('Re: [PATCH 1/2] one');
    expect(slimMessage(c)).toMatchObject({ messageId: 'r@x', subject: 'Re: [PATCH 1/2] one', body: '', inReplyTo: 'a@x' });
  });

  it('detach gives an equal string', () => {
    const long = 'x'.repeat(100) + 'tail of a long line';
    expect(detach(long.slice(50))).toBe(long.slice(50));
    expect(detach('short')).toBe('short');
    const lone = 'a subject with a lone \ud800 surrogate';
    expect(detach(lone)).toBe(lone);
  });
});
