import { describe, expect, it } from 'vitest';
import type { CompactMail } from './compact-mail.js';
import { PendingThreads } from './pending-threads.js';
import { EmittedIndex } from './emitted-index.js';
import { idHash } from './id-hash.js';
import type { Series } from '../../model/series.js';

const mail = (id: string, counter: number | null = null): CompactMail => ({ messageId: id, parsed: { counter } } as unknown as CompactMail);
const ids = (ms: readonly CompactMail[]): string[] => ms.map((m) => m.messageId);

describe('PendingThreads', () => {
  it('merges threads a mail links, keeping arrival order, and hands out quiet ones oldest first', () => {
    const p = new PendingThreads();
    p.add(mail('a'), ['a'], [], 1);
    p.add(mail('b'), ['b'], [], 2);
    p.add(mail('c'), ['c'], [], 3);
    p.add(mail('d'), ['d', 'a', 'b'], [], 4);
    expect(p.size).toBe(2);
    expect([...p.takeQuiet(3)].map((t) => ids(t.mails))).toEqual([['c']]);
    expect([...p.takeQuiet(3)]).toEqual([]);
    expect([...p.takeAll()].map((t) => ids(t.mails))).toEqual([['a', 'b', 'd']]);
    expect(p.size).toBe(0);
    p.add(mail('e'), ['e', 'a'], [], 5); // 'a' was handed out: a new thread
    expect([...p.takeAll()].map((t) => ids(t.mails))).toEqual([['e']]);
  });

  it('joins a thread by marker only while it lacks the counter', () => {
    const p = new PendingThreads();
    p.add(mail('p1', 1), ['p1'], ['m'], 1);
    p.add(mail('p2', 2), ['p2'], ['m'], 2);
    p.add(mail('q1', 1), ['q1'], ['m'], 3); // a second 1/2: a new series
    p.add(mail('q2', 2), ['q2'], ['m'], 4); // the marker now leads to q1's thread
    expect([...p.takeAll()].map((t) => ids(t.mails))).toEqual([['p1', 'p2'], ['q1', 'q2']]);
  });
});

const series = (id: string, revision: number, extra: Partial<Series> = {}): Series => ({
  id, subject: '', title: 'bpf: fix it', revision, total: 2, tree: null, rfc: false, resend: false,
  author: { name: 'A', address: 'a@x.org' }, date: null, cover: null,
  patches: [1, 2].map((counter) => ({ counter, messageId: `${id}.${counter}` })) as Series['patches'],
  missing: [], previous: null, partialReroll: false, threading: 'threaded', baseCommit: null,
  prerequisitePatchIds: [], changeId: null, coverReplies: [], followupTrailers: [], ...extra,
});

describe('EmittedIndex', () => {
  it('remembers read mail, stand-ins and members, and links revisions both ways', () => {
    const x = new EmittedIndex();
    const v1 = x.addSeries(series('v1', 1), null);
    x.rememberRead('p', { slot: v1.slot, counter: 2 });
    x.rememberRead('o', null);
    x.rememberStandIn('missing-cover', { slot: v1.slot, counter: 0 });
    expect([x.wasRead('p'), x.wasRead('o'), x.wasRead('missing-cover'), x.wasRead('nope')]).toEqual([true, true, false, false]);
    expect(x.attachOf(['o', 'nope', 'p'])).toEqual({ slot: v1.slot, counter: 2 });
    expect(x.attachOf(['missing-cover'])).toEqual({ slot: v1.slot, counter: 0 });

    const v3 = series('v3', 3, { missing: [2], patches: [{ counter: 1, messageId: 'v3.1' }] as Series['patches'] });
    expect(x.linkPrevious(v3, new Set())).toBe(1);
    expect([v3.previous, v3.partialReroll]).toEqual(['v1', true]);
    x.addSeries(v3, 1);
    // v2 arrives after v3 was emitted: v3's previous becomes v2, as an update.
    expect(x.addSeries(series('v2', 2), 1).lateLinks).toEqual([{ slot: 1, previous: 'v2', partialReroll: true }]);
  });

  it('hashes ids to distinct exact 53-bit numbers', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 50_000; i++) seen.add(idHash(`20240101.${i}-1-someone@kernel.org`));
    expect(seen.size).toBe(50_000);
    expect([...seen].every((h) => Number.isSafeInteger(h) && h >= 0)).toBe(true);
  });
});
