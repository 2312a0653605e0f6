import { describe, expect, it } from 'vitest';
import { ancestorIdsOf, assembleThreads, parentIdOf, type ThreadableMessage } from './assemble-threads.js';

const m = (messageId: string, inReplyTo: string | null = null, references: string[] = [], date: string | null = null): ThreadableMessage => ({
  messageId, inReplyTo, references, date,
});

const shape = (msgs: ThreadableMessage[]): { root: string; rootMissing: boolean; ids: string[] }[] =>
  assembleThreads(msgs)
    .map((t) => ({ root: t.root, rootMissing: t.rootMissing, ids: [...t.messageIds].sort() }))
    .sort((a, b) => a.root.localeCompare(b.root));

describe('assembleThreads', () => {
  const cases: { name: string; msgs: ThreadableMessage[]; want: ReturnType<typeof shape> }[] = [
    {
      name: 'a cover and its patches',
      msgs: [m('c'), m('p1', 'c', ['c']), m('p2', 'c', ['c']), m('r1', 'p1', ['c', 'p1'])],
      want: [{ root: 'c', rootMissing: false, ids: ['c', 'p1', 'p2', 'r1'] }],
    },
    {
      name: 'missing parent: replies to an absent patch meet under the absent cover',
      msgs: [m('r1', 'p2', ['c', 'p2']), m('r2', 'p3', ['c', 'p3']), m('r3', 'r1', ['c', 'p2', 'r1'])],
      want: [{ root: 'c', rootMissing: true, ids: ['r1', 'r2', 'r3'] }],
    },
    {
      name: 'In-Reply-To without References',
      msgs: [m('a'), m('b', 'a'), m('c', 'b')],
      want: [{ root: 'a', rootMissing: false, ids: ['a', 'b', 'c'] }],
    },
    {
      name: 'References without In-Reply-To: the last reference is the parent',
      msgs: [m('a'), m('b', null, ['a']), m('c', null, ['a', 'b'])],
      want: [{ root: 'a', rootMissing: false, ids: ['a', 'b', 'c'] }],
    },
    {
      name: 'duplicated Message-ID: the first copy is threaded, the rest ignored',
      msgs: [m('a'), m('b', 'a', ['a']), m('b', 'zzz', ['zzz'])],
      want: [{ root: 'a', rootMissing: false, ids: ['a', 'b'] }],
    },
    {
      name: 'a loop in References does not hang and keeps everything',
      msgs: [m('a', 'b', ['b']), m('b', 'a', ['a'])],
      want: [{ root: 'a', rootMissing: false, ids: ['a', 'b'] }],
    },
    {
      name: 'a message that names itself as its parent is a root',
      msgs: [m('a', 'a', ['a'])],
      want: [{ root: 'a', rootMissing: false, ids: ['a'] }],
    },
    {
      name: 'unrelated mails are separate threads',
      msgs: [m('a'), m('b'), m('c', 'x')],
      want: [
        { root: 'a', rootMissing: false, ids: ['a'] },
        { root: 'b', rootMissing: false, ids: ['b'] },
        { root: 'x', rootMissing: true, ids: ['c'] },
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = shape(c.msgs);
      if (c.name.startsWith('a loop')) {
        // Which of the two becomes the root depends on which link is dropped; both stay in one thread.
        expect(got).toHaveLength(1);
        expect(got[0]?.ids).toEqual(['a', 'b']);
        return;
      }
      expect(got).toEqual(c.want);
    });
  }

  it('out-of-order arrival gives the same threads as in-order arrival', () => {
    const msgs = [m('c'), m('p1', 'c', ['c']), m('p2', 'p1', ['c', 'p1']), m('r', 'p2', ['c', 'p1', 'p2']), m('o')];
    const reversed = [...msgs].reverse();
    expect(shape(reversed)).toEqual(shape(msgs));
    expect(shape([msgs[3], msgs[1], msgs[4], msgs[0], msgs[2]] as ThreadableMessage[])).toEqual(shape(msgs));
  });

  it('orders a thread by date, undated mail last', () => {
    const t = assembleThreads([
      m('c', null, [], '2024-01-01T00:00:03Z'),
      m('b', 'c', ['c'], null),
      m('a', 'c', ['c'], '2024-01-01T00:00:01Z'),
    ]);
    expect(t[0]?.messageIds).toEqual(['a', 'c', 'b']);
  });
});

describe('parentIdOf / ancestorIdsOf', () => {
  it('prefers In-Reply-To, then the last reference', () => {
    expect(parentIdOf(m('x', 'p', ['a', 'b']))).toBe('p');
    expect(parentIdOf(m('x', null, ['a', 'b']))).toBe('b');
    expect(parentIdOf(m('x', null, ['a', 'x']))).toBe('a');
    expect(parentIdOf(m('x'))).toBeNull();
  });
  it('lists ancestors closest first, once, without itself', () => {
    expect(ancestorIdsOf(m('x', 'b', ['a', 'b', 'x']))).toEqual(['b', 'a']);
  });
});
