import { describe, expect, it } from 'vitest';
import { openStore } from './open-store.js';
import { Outbox } from './outbox.js';
import { SqliteServiceStore, reviewKey, type ReviewRecord } from './service-store.js';

const T = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));

function fresh() {
  const base = openStore(':memory:');
  base.migrate();
  return { base, store: new SqliteServiceStore(base) };
}

const review = (hash: string): ReviewRecord => ({
  seriesId: 's', revision: 1, contentHash: hash, reason: 'complete', missing: [], reviewedAt: T, notRun: [], errors: [],
  findings: [{ ruleId: 'r', severity: 'error', patch: 1, messageId: 'p1', file: 'a.c', line: 3, message: 'm', fingerprint: 'fp', quoted: ['+x'] }],
});

describe('SqliteServiceStore', () => {
  it('stores a batch and its cursor together, deduplicating by Message-ID', async () => {
    const { store } = fresh();
    expect(await store.addMessages('lore', [{ messageId: 'a', origin: 'f#1', raw: Buffer.from('A') }, { messageId: 'b', origin: 'f#2', raw: Buffer.from('B') }], '10', T)).toEqual(['a', 'b']);
    expect(await store.addMessages('lore', [{ messageId: 'b', origin: 'g#1', raw: Buffer.from('B2') }, { messageId: 'c', origin: 'g#2', raw: Buffer.from('C') }], '20', T)).toEqual(['c']);
    expect(await store.cursor('lore')).toBe('20');
    expect(await store.cursor('other')).toBeNull();
    expect(await store.messageCount()).toBe(3);
    expect((await store.messagesByIds(['b'])).get('b')?.raw.toString()).toBe('B'); // first copy kept
    const all: string[] = [];
    for await (const m of store.messages(null)) all.push(m.messageId);
    expect(all).toEqual(['a', 'b', 'c']);
    for await (const m of store.messages(new Date(T.getTime() + 1))) all.push(m.messageId);
    expect(all).toHaveLength(3);
  });

  it('rolls back the messages when the batch fails, leaving the cursor where it was', async () => {
    const { store, base } = fresh();
    await store.addMessages('lore', [], '5', T);
    base.db.exec(`CREATE TRIGGER no_bad BEFORE INSERT ON messages WHEN NEW.message_id = 'bad' BEGIN SELECT RAISE(ABORT, 'bad'); END`);
    await expect(store.addMessages('lore', [{ messageId: 'ok', origin: 'x', raw: Buffer.from('') }, { messageId: 'bad', origin: 'x', raw: Buffer.from('') }], '9', T)).rejects.toThrow(/bad/);
    expect(await store.cursor('lore')).toBe('5');
    expect(await store.hasMessage('ok')).toBe(false);
  });

  it('records a review once per key, with its findings and the outbox rows in the same transaction', async () => {
    const { store, base } = fresh();
    const outbox = new Outbox(base, () => T);
    const first = await store.recordReview(review('h1'), () => void outbox.enqueue({ messageId: 'r1', seriesId: 's', patch: 1, channel: 'smtp', payload: Buffer.from('x'), recipients: ['a@b'] }));
    expect(first.recorded).toBe(true);
    let called = false;
    expect((await store.recordReview(review('h1'), () => (called = true))).recorded).toBe(false);
    expect(called).toBe(false);
    expect(await store.reviewedKeys()).toEqual(new Set([reviewKey('s', 1, 'h1')]));
    // a failure in the outbox write takes the review back too
    await expect(store.recordReview(review('h2'), () => {
      throw new Error('outbox full');
    })).rejects.toThrow(/outbox full/);
    expect(await store.reviewCount()).toBe(1);
    const rows = await store.reviews('s');
    expect(rows[0]!.findings).toEqual([{ ruleId: 'r', severity: 'error', patch: 1, messageId: 'p1', file: 'a.c', line: 3, message: 'm', fingerprint: 'fp', quoted: ['+x'] }]);
    expect(outbox.all().map((e) => e.messageId)).toEqual(['r1']);
    expect(await store.findingsPerRuleDaily()).toEqual([{ day: '2024-01-02', ruleId: 'r', count: 1 }]);
  });

  it('keeps series state, roles and agreement figures', async () => {
    const { store, base } = fresh();
    const row = { id: 's', subject: 'S', title: 'S', revision: 1, total: 2, author: null, state: 'waiting' as const, missing: [2], firstSeen: T, deadline: T, contentHash: 'h', previous: null, updatedAt: T };
    await store.saveSeries([row]);
    await store.saveSeries([{ ...row, state: 'reviewed', missing: [] }]);
    expect(await store.series('s')).toMatchObject({ state: 'reviewed', missing: [], firstSeen: T });
    expect(await store.listSeries({ state: 'waiting' })).toEqual([]);
    await store.addMessages('l', [{ messageId: 'm', origin: 'o', raw: Buffer.from('') }], null, T);
    await store.setRoles([{ messageId: 'm', role: 'patch', seriesId: 's' }]);
    expect(base.db.prepare('SELECT role, series_id FROM messages').get()).toEqual({ role: 'patch', series_id: 's' });
    expect(await store.cursors()).toEqual([]); // a null cursor writes none
    await store.recordAgreement({ measuredAt: T, kernel: 'v6.9', programs: 4, verdictAgree: 3, messageAgree: 2 });
    expect(await store.agreement()).toEqual([{ measuredAt: T, kernel: 'v6.9', programs: 4, verdictAgree: 3, messageAgree: 2 }]);
  });
});
