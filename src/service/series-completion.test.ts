import { describe, expect, it } from 'vitest';
import { ingestMessages } from '../ingest/ingest.js';
import type { RawMessage, Series } from '../model/index.js';
import { reviewKey } from '../store/service-store.js';
import { seriesMails, type StreamMail } from '../../test/service/support/mail-stream.js';
import { contentHash, memberIds, planCompletion } from './series-completion.js';

async function assemble(mails: StreamMail[]): Promise<Series[]> {
  async function* raws(): AsyncGenerator<RawMessage> {
    for (const m of mails) yield { source: m.messageId, bytes: m.bytes };
  }
  return (await ingestMessages(raws())).series;
}

const T0 = new Date(Date.UTC(2024, 5, 1, 12, 0, 0));
const at = (s: number): Date => new Date(T0.getTime() + s * 1000);
const policy = { waitMs: 600_000 };

describe('planCompletion', () => {
  it('makes a complete series ready and waits for an incomplete one until its deadline', async () => {
    const complete = seriesMails(1, 2);
    const partial = seriesMails(2, 3).filter((m) => m.counter !== 2);
    const series = await assemble([...complete, ...partial]);
    const seen = (id: string): Date | undefined => (id.startsWith('s2') ? at(100) : at(0));
    const plan = planCompletion(series, seen, new Set(), at(200), policy);
    expect(plan.ready.map((e) => e.series.id)).toEqual(['s1-v1-p0@example.org']);
    expect(plan.ready[0]!.readiness).toEqual({ kind: 'ready', reason: 'complete', missing: [] });
    expect(plan.waiting.map((e) => e.series.id)).toEqual(['s2-v1-p0@example.org']);
    const w = plan.waiting[0]!;
    expect(w.readiness).toEqual({ kind: 'waiting', until: at(700), missing: [2] });
    expect(plan.nextDeadline).toEqual(at(700));

    // at the deadline the partial series is reviewed with what there is, saying what is missing
    const late = planCompletion(series, seen, new Set(), at(700), policy);
    const p = late.ready.find((e) => e.series.id === 's2-v1-p0@example.org');
    expect(p?.readiness).toEqual({ kind: 'ready', reason: 'deadline', missing: [2] });
    expect(late.nextDeadline).toBeNull();
  });

  it('does not plan a series again once its key is reviewed, and plans it again when a late patch changes its members', async () => {
    const partialMails = seriesMails(3, 3).filter((m) => m.counter !== 3);
    const partial = await assemble(partialMails);
    const s = partial[0]!;
    const reviewed = new Set([reviewKey(s.id, s.revision, contentHash(s))]);
    expect(planCompletion(partial, () => at(0), reviewed, at(10_000), policy).ready).toEqual([]);

    const full = await assemble(seriesMails(3, 3));
    expect(full[0]!.id).toBe(s.id);
    expect(contentHash(full[0]!)).not.toBe(contentHash(s));
    const again = planCompletion(full, () => at(0), reviewed, at(10_000), policy);
    expect(again.ready.map((e) => [e.series.id, e.readiness.kind])).toEqual([[s.id, 'ready']]);
    expect(memberIds(full[0]!)).toHaveLength(4);
  });

  it('treats a new revision as its own series, ready on its own', async () => {
    const series = await assemble([...seriesMails(4, 1), ...seriesMails(4, 1, { revision: 2 })]);
    const v1 = series.find((x) => x.revision === 1)!;
    const reviewed = new Set([reviewKey(v1.id, 1, contentHash(v1))]);
    const plan = planCompletion(series, () => at(0), reviewed, at(1), policy);
    expect(plan.ready.map((e) => e.series.revision)).toEqual([2]);
  });

  it('uses the earliest sighting of any member for the deadline, and now for members never seen', async () => {
    const series = await assemble(seriesMails(5, 3).filter((m) => m.counter !== 1));
    const seen = new Map([['s5-v1-p2@example.org', at(50)], ['s5-v1-p0@example.org', at(20)]]);
    const plan = planCompletion(series, (id) => seen.get(id), new Set(), at(60), policy);
    expect(plan.entries[0]!.firstSeen).toEqual(at(20));
    expect(plan.entries[0]!.deadline).toEqual(at(620));
    const none = planCompletion(series, () => undefined, new Set(), at(60), policy);
    expect(none.entries[0]!.firstSeen).toEqual(at(60));
  });
});
