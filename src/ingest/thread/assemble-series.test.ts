import { describe, expect, it } from 'vitest';
import type { Message } from '../../model/message.js';
import type { Series } from '../../model/series.js';
import { assembleThreads } from './assemble-threads.js';
import { assembleSeries } from './assemble-series.js';
import { SERIES_WINDOW_MS } from './group-members.js';

const T0 = Date.parse('2024-03-01T10:00:00Z');
const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();

function mail(id: string, subject: string, o: Partial<Message> & { sec?: number; sender?: string } = {}): Message {
  const sender = o.sender ?? 'alice@example.org';
  return {
    source: `test#${id}`,
    messageId: id,
    messageIdSynthesised: false,
    inReplyTo: o.inReplyTo ?? null,
    references: o.references ?? [],
    subject,
    from: { name: sender.split('@')[0] as string, address: sender },
    to: [],
    cc: [],
    date: o.date ?? at(o.sec ?? 0),
    body: o.body ?? 'Some text.\n',
    attachments: [],
    headers: o.headers ?? {},
  };
}

function diffBody(file = 'kernel/bpf/verifier.c', extra = ''): string {
  return [
    'Make the verifier check one more thing.',
    '',
    'Signed-off-by: Alice <alice@example.org>',
    '---',
    ` ${file} | 1 +`,
    ' 1 file changed, 1 insertion(+)',
    '',
    `diff --git a/${file} b/${file}`,
    'index 1111111..2222222 100644',
    `--- a/${file}`,
    `+++ b/${file}`,
    '@@ -1,1 +1,2 @@',
    ' int a;',
    '+int b;',
    extra,
    '-- ',
    '2.43.0',
    '',
  ].join('\n');
}

const BROKEN = diffBody().replace('@@ -1,1 +1,2 @@', '@@ -1,1 +1,5 @@');

function patch(id: string, subject: string, o: Partial<Message> & { sec?: number; sender?: string } = {}): Message {
  return mail(id, subject, { body: diffBody(), ...o });
}

function run(msgs: Message[]): ReturnType<typeof assembleSeries> {
  return assembleSeries(msgs, assembleThreads(msgs));
}

const only = (r: ReturnType<typeof assembleSeries>): Series => {
  expect(r.series).toHaveLength(1);
  return r.series[0] as Series;
};

describe('assembleSeries: one series', () => {
  it('cover, patches in order, missing counters, roles', () => {
    const r = run([
      patch('p3', '[PATCH bpf-next v2 3/4] bpf: three', { inReplyTo: 'c', references: ['c'], sec: 3 }),
      mail('c', '[PATCH bpf-next v2 0/4] bpf: a series', { body: 'Cover text.\n\nbase-commit: abcdef0123456789abcdef0123456789abcdef01\nprerequisite-patch-id: 1234567890abcdef1234567890abcdef12345678\n' }),
      patch('p1', '[PATCH bpf-next v2 1/4] bpf: one', { inReplyTo: 'c', references: ['c'], sec: 1 }),
    ]);
    const s = only(r);
    expect(s).toMatchObject({ id: 'c', revision: 2, total: 4, tree: 'bpf-next', title: 'bpf: a series', missing: [2, 4], threading: 'threaded' });
    expect(s.cover?.body).toContain('Cover text.');
    expect(s.baseCommit).toBe('abcdef0123456789abcdef0123456789abcdef01');
    expect(s.prerequisitePatchIds).toEqual(['1234567890abcdef1234567890abcdef12345678']);
    expect(s.patches.map((p) => p.counter)).toEqual([1, 3]);
    expect(s.patches[0]?.files.map((f) => f.newPath)).toEqual(['kernel/bpf/verifier.c']);
    expect(s.patches[0]?.trailers.map((t) => t.name)).toEqual(['Signed-off-by']);
    expect(Object.fromEntries(r.roles)).toEqual({ c: 'cover', p1: 'patch', p3: 'patch' });
  });

  it('no cover: the first patch is the series id, its subject the series subject', () => {
    const s = only(run([
      patch('p1', '[PATCH bpf 1/2] bpf: fix a', { sec: 1 }),
      patch('p2', '[PATCH bpf 2/2] selftests/bpf: test a', { inReplyTo: 'p1', references: ['p1'], sec: 2 }),
    ]));
    expect(s).toMatchObject({ id: 'p1', cover: null, title: 'bpf: fix a', tree: 'bpf', total: 2, missing: [] });
  });

  it('a single patch without n/N is 1 of 1', () => {
    const s = only(run([patch('p', '[PATCH bpf-next] bpf: small fix')]));
    expect(s).toMatchObject({ total: 1, missing: [], revision: 1 });
    expect(s.patches.map((p) => p.counter)).toEqual([1]);
  });

  it('RFC and RESEND are read', () => {
    const rfc = only(run([patch('p', '[RFC PATCH bpf-next 1/1] bpf: idea')]));
    expect(rfc).toMatchObject({ rfc: true, resend: false });
    const resend = only(run([patch('q', '[PATCH RESEND bpf v3] bpf: again')]));
    expect(resend).toMatchObject({ rfc: false, resend: true, revision: 3 });
  });

  it('replies at any depth attach to the member they answer; follow-up trailers come with them', () => {
    const r = run([
      mail('c', '[PATCH 0/2] s'),
      patch('p1', '[PATCH 1/2] one', { inReplyTo: 'c', references: ['c'] }),
      patch('p2', '[PATCH 2/2] two', { inReplyTo: 'c', references: ['c'] }),
      mail('r1', 'Re: [PATCH 2/2] two', { inReplyTo: 'p2', references: ['c', 'p2'], sender: 'bob@example.org', body: '> quoted\n\nAcked-by: bob <bob@example.org>\n' }),
      mail('r2', 'Re: [PATCH 2/2] two', { inReplyTo: 'r1', sender: 'carol@example.org' }),
      mail('r3', 'Re: [PATCH 2/2] two', { inReplyTo: 'r2', references: ['c', 'p2', 'r1', 'r2'] }),
      mail('rc', 'Re: [PATCH 0/2] s', { inReplyTo: 'c', references: ['c'], sender: 'dan@example.org', body: 'Reviewed-by: dan <dan@example.org>\n' }),
      mail('x', 'unrelated question'),
    ]);
    const s = only(r);
    expect(s.patches[1]?.replies).toEqual(['r1', 'r2', 'r3']);
    expect(s.patches[0]?.replies).toEqual([]);
    expect(s.coverReplies).toEqual(['rc']);
    expect(s.followupTrailers.map((f) => [f.counter, f.messageId, f.trailer.name])).toEqual([
      [2, 'r1', 'Acked-by'],
      [0, 'rc', 'Reviewed-by'],
    ]);
    expect(r.roles.get('r2')).toBe('reply');
    expect(r.roles.get('x')).toBe('other');
  });

  it('a member with a broken diff stays in the series with its reason and is quarantined', () => {
    const r = run([
      patch('p1', '[PATCH 1/2] one'),
      patch('p2', '[PATCH 2/2] two', { inReplyTo: 'p1', references: ['p1'], body: BROKEN }),
      mail('p3', '[PATCH 3/3] words only', { body: 'No diff here.\n' }),
    ]);
    const s = r.series.find((x) => x.id === 'p1') as Series;
    expect(s.patches.map((p) => p.counter)).toEqual([1, 2]);
    expect(s.patches[1]?.error?.code).toBe('broken-diff');
    expect(s.patches[1]?.files).toEqual([]);
    expect(r.quarantined.map((q) => [q.messageId, q.code])).toEqual([['p2', 'broken-diff'], ['p3', 'broken-diff']]);
    expect(r.quarantined[1]?.reason).toMatch(/no diff/);
    expect(r.quarantined[0]?.source).toBe('test#p2');
  });

  it('duplicated Message-IDs: the first copy is used, the others are counted', () => {
    const r = run([patch('p', '[PATCH] a'), patch('p', '[PATCH] a'), mail('p', 'Re: something else')]);
    expect(r.duplicates).toEqual([{ messageId: 'p', source: 'test#p' }, { messageId: 'p', source: 'test#p' }]);
    expect(only(r).patches).toHaveLength(1);
    expect(r.roles.size).toBe(1);
  });
});

describe('assembleSeries: unthreaded series', () => {
  it(`groups same sender, same tags, within ${SERIES_WINDOW_MS / 60000} minutes`, () => {
    const r = run([
      patch('a1', '[PATCH bpf-next v2 1/3] one', { sec: 0 }),
      patch('a2', '[PATCH bpf-next v2 2/3] two', { sec: 30 }),
      patch('a3', '[PATCH bpf-next v2 3/3] three', { sec: 90 }),
      patch('b1', '[PATCH bpf-next v2 1/3] one', { sec: 60, sender: 'bob@example.org' }),
      patch('c1', '[PATCH bpf-next v3 1/3] one', { sec: 70 }),
      patch('d2', '[PATCH bpf-next v2 2/3] two', { sec: SERIES_WINDOW_MS / 1000 + 120 }),
    ]);
    const byId = new Map(r.series.map((s) => [s.id, s]));
    expect(byId.get('a1')?.patches.map((p) => p.messageId)).toEqual(['a1', 'a2', 'a3']);
    expect(byId.get('a1')?.threading).toBe('unthreaded');
    expect(byId.get('b1')?.patches).toHaveLength(1);
    expect(byId.get('c1')?.patches).toHaveLength(1);
    expect(byId.get('d2')?.missing).toEqual([1, 3]);
    expect(r.series).toHaveLength(4);
  });

  it('the same counter twice starts a new series (a resend in quick succession)', () => {
    const r = run([patch('a', '[PATCH v2 1/4] x', { sec: 0 }), patch('b', '[PATCH v2 1/4] x', { sec: 60 })]);
    expect(r.series).toHaveLength(2);
  });
});

describe('assembleSeries: revisions', () => {
  it('links the previous revision by title and author', () => {
    const r = run([
      mail('v1', '[PATCH bpf-next 0/2] bpf: Add  Things', { sec: 0 }),
      patch('v1p1', '[PATCH bpf-next 1/2] a', { inReplyTo: 'v1', references: ['v1'] }),
      mail('v2', '[PATCH bpf-next v2 0/2] bpf: add things', { sec: 86400 }),
      patch('v2p1', '[PATCH bpf-next v2 1/2] a', { inReplyTo: 'v2', references: ['v2'], sec: 86401 }),
      mail('v3', '[PATCH bpf-next v3 0/2] bpf: add things', { sec: 2 * 86400 }),
      mail('o2', '[PATCH bpf-next v2 0/2] bpf: add things', { sec: 86400, sender: 'mallory@example.org' }),
    ]);
    const byId = new Map(r.series.map((s) => [s.id, s]));
    expect(byId.get('v1')?.previous).toBeNull();
    expect(byId.get('v2')?.previous).toBe('v1');
    expect(byId.get('v3')?.previous).toBe('v2');
    expect(byId.get('o2')?.previous).toBeNull();
  });

  it('links by change-id across a new title', () => {
    const r = run([
      mail('v1', '[PATCH 0/2] old title', { body: 'text\n\n---\nchange-id: 20240301-things-abc123\n' }),
      mail('v2', '[PATCH v2 0/2] new title', { body: 'text\n\n---\nchange-id: 20240301-things-abc123\n', sec: 5000, sender: 'alice2@example.org' }),
    ]);
    expect(r.series.find((s) => s.id === 'v2')?.previous).toBe('v1');
    expect(r.series.find((s) => s.id === 'v2')?.changeId).toBe('20240301-things-abc123');
  });

  it('links a vN posted in reply to the old revision, and a partial reroll', () => {
    const r = run([
      mail('c', '[PATCH v2 0/3] s'),
      patch('p1', '[PATCH v2 1/3] one', { inReplyTo: 'c', references: ['c'] }),
      patch('p2', '[PATCH v2 2/3] two', { inReplyTo: 'c', references: ['c'] }),
      patch('p3', '[PATCH v2 3/3] three', { inReplyTo: 'c', references: ['c'] }),
      patch('n2', '[PATCH v3 2/3] two, better', { inReplyTo: 'p2', references: ['c', 'p2'], sec: 900 }),
    ]);
    const v3 = r.series.find((s) => s.revision === 3) as Series;
    expect(v3.previous).toBe('c');
    expect(v3.missing).toEqual([1, 3]);
    expect(v3.partialReroll).toBe(true);
    expect(r.roles.get('n2')).toBe('patch');
  });

  it('is not a partial reroll when the previous revision lacks the missing counters too', () => {
    const r = run([
      patch('p1', '[PATCH v1 1/3] one'),
      patch('n2', '[PATCH v2 2/3] two', { inReplyTo: 'p1', references: ['p1'], sec: 900 }),
    ]);
    const v2 = r.series.find((s) => s.revision === 2) as Series;
    expect(v2.previous).toBe('p1');
    expect(v2.partialReroll).toBe(false);
  });
});
