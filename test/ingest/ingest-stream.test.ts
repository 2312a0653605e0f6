/**
 * Streaming ingest: series emitted as their threads go quiet, late replies as updates,
 * duplicates of forgotten mail still counted, revisions linked across emitted threads, and
 * the same series as batch ingest when nothing goes quiet early.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeShared, sharedPath } from '../support/shared-data.js';
import { ingest, ingestStream, readSources, type SeriesUpdate } from '../../src/ingest/ingest.js';
import type { RawMessage } from '../../src/model/message.js';
import type { Series } from '../../src/model/series.js';

async function* raws(items: string[]): AsyncGenerator<RawMessage> {
  let i = 0;
  for (const s of items) yield { source: `mem#${++i}`, bytes: Buffer.from(s) };
}

interface MailSpec { id: string; subject: string; from?: string; replyTo?: string[]; body?: string; date?: string }

function mail(m: MailSpec): string {
  const refs = m.replyTo ?? [];
  const head = [
    `From: ${m.from ?? 'Ann Author <ann@example.org>'}`,
    `Subject: ${m.subject}`,
    `Date: ${m.date ?? 'Mon, 1 Jan 2024 10:00:00 +0000'}`,
    `Message-ID: <${m.id}>`,
    ...(refs.length ? [`In-Reply-To: <${refs[refs.length - 1]}>`, `References: ${refs.map((r) => `<${r}>`).join(' ')}`] : []),
  ];
  return `${head.join('\n')}\n\n${m.body ?? 'text\n'}`;
}

const diff = (f: string): string => `commit text\n\nSigned-off-by: Ann Author <ann@example.org>\n---\ndiff --git a/${f} b/${f}\n--- a/${f}\n+++ b/${f}\n@@ -1 +1 @@\n-a\n+b\n`;

async function collect(items: AsyncIterable<RawMessage>, quietAfter?: number) {
  const series: Series[] = [];
  const updates: SeriesUpdate[] = [];
  const r = await ingestStream(items, { quietAfter, onSeries: (s) => void series.push(s), onUpdate: (u) => void updates.push(u) });
  return { r, series, updates };
}

describe('ingestStream', () => {
  it('emits quiet threads, then late replies as updates, duplicates of forgotten mail, and links the next revision', async () => {
    const { r, series, updates } = await collect(raws([
      mail({ id: 'c1@x', subject: '[PATCH 0/2] foo: bar' }),
      mail({ id: 'p1@x', subject: '[PATCH 1/2] foo: one', replyTo: ['c1@x'], body: diff('a.c') }),
      mail({ id: 'p2@x', subject: '[PATCH 2/2] foo: two', replyTo: ['c1@x'], body: diff('b.c') }),
      mail({ id: 'o1@x', subject: 'hello', from: 'Olga <o@example.org>' }),
      mail({ id: 'o2@x', subject: 'hello again', from: 'Olga <o@example.org>' }),
      mail({ id: 'r1@x', subject: 'Re: [PATCH 2/2] foo: two', from: 'Bob <bob@example.org>', replyTo: ['c1@x', 'p2@x'], body: '> +b\n\nAcked-by: Bob <bob@example.org>\n' }),
      mail({ id: 'p1@x', subject: '[PATCH 1/2] foo: one', replyTo: ['c1@x'], body: diff('a.c') }),
      mail({ id: 'c2@x', subject: '[PATCH v2 0/2] foo: bar', replyTo: ['c1@x'], date: 'Tue, 2 Jan 2024 10:00:00 +0000' }),
      mail({ id: 'q1@x', subject: '[PATCH v2 1/2] foo: one', replyTo: ['c1@x', 'c2@x'], body: diff('a.c'), date: 'Tue, 2 Jan 2024 10:00:00 +0000' }),
      mail({ id: 'q2@x', subject: '[PATCH v2 2/2] foo: two', replyTo: ['c1@x', 'c2@x'], body: diff('b.c'), date: 'Tue, 2 Jan 2024 10:00:00 +0000' }),
    ]), 2);
    expect(series.map((s) => [s.id, s.revision, s.previous])).toEqual([['c1@x', 1, null], ['c2@x', 2, 'c1@x']]);
    expect(series[0]?.patches.map((p) => p.files[0]?.newPath)).toEqual(['a.c', 'b.c']);
    expect(series[0]?.patches[0]?.files[0]?.hunks).toEqual([]);
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ seriesId: 'c1@x', replies: [{ counter: 2, messageId: 'r1@x' }] });
    expect(updates[0]?.followupTrailers.map((t) => [t.counter, t.trailer.name, t.trailer.person?.address])).toEqual([[2, 'Acked-by', 'bob@example.org']]);
    expect(r.accounting).toEqual({ read: 10, seriesMembers: 6, replies: 1, other: 2, duplicates: 1, quarantined: 0 });
    expect(r).toMatchObject({ series: 2, updates: 1, lateReplies: 1 });
  });

  it('links an older revision emitted after the newer one as an update of the newer', async () => {
    const { series, updates } = await collect(raws([
      mail({ id: 'a1@x', subject: '[PATCH 1/1] foo: fix it', body: diff('a.c') }),
      mail({ id: 'b1@x', subject: '[PATCH v2 1/1] foo: fix it', body: diff('a.c'), date: 'Tue, 2 Jan 2024 10:00:00 +0000' }),
      // Keeps v1's thread open until after v2's went quiet.
      mail({ id: 'ra@x', subject: 'Re: [PATCH 1/1] foo: fix it', from: 'Bob <bob@example.org>', replyTo: ['a1@x'] }),
      mail({ id: 'o1@x', subject: 'hello', from: 'Olga <o@example.org>' }),
      mail({ id: 'o2@x', subject: 'hello', from: 'Olga <o@example.org>' }),
    ]), 2);
    expect(series.map((s) => [s.id, s.previous])).toEqual([['b1@x', null], ['a1@x', null]]);
    expect(updates).toEqual([{ seriesId: 'b1@x', replies: [], followupTrailers: [], previous: 'a1@x', partialReroll: false }]);
  });

  it('keeps unthreaded members of one series together', async () => {
    const { series } = await collect(raws([
      mail({ id: 'u1@x', subject: '[PATCH 1/2] foo: one', body: diff('a.c') }),
      mail({ id: 'x1@x', subject: 'hello', from: 'Olga <o@example.org>' }),
      mail({ id: 'u2@x', subject: '[PATCH 2/2] foo: two', body: diff('b.c'), date: 'Mon, 1 Jan 2024 10:01:00 +0000' }),
    ]), 2);
    expect(series.map((s) => [s.threading, s.patches.map((p) => p.messageId), s.missing])).toEqual([['unthreaded', ['u1@x', 'u2@x'], []]]);
  });
});

const shape = (s: Series): unknown => ({
  id: s.id, revision: s.revision, total: s.total, cover: s.cover?.messageId ?? null, missing: s.missing,
  previous: s.previous, partialReroll: s.partialReroll, threading: s.threading,
  patches: s.patches.map((p) => ({
    counter: p.counter, id: p.messageId, replies: [...p.replies].sort(), trailers: p.trailers, error: p.error?.code ?? null,
    files: p.files.map((f) => [f.oldPath, f.newPath, f.status, f.added, f.deleted]),
  })),
  coverReplies: [...s.coverReplies].sort(),
  followupTrailers: s.followupTrailers.length,
});

function corpusFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (p: string): void => {
    for (const n of readdirSync(p, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const q = join(p, n.name);
      if (n.isDirectory()) walk(q);
      else if (/\.(eml|mbox|mboxrd)$/.test(n.name)) files.push(q);
    }
  };
  walk(dir);
  return files;
}

describeShared('ingestStream on real data', () => {
  it('gives the series batch ingest gives when no thread goes quiet early (bpf list threads)', async () => {
    const root = sharedPath('corpus', 'bpf-list-threads');
    const files = readdirSync(root).sort().map((d) => join(root, d, 'thread.mboxrd'));
    const batch = await ingest(files, { keep: 'compact' });
    const { r, series, updates } = await collect(readSources(files));
    // Threads that go quiet at the end are emitted in the order of their last mail: a v2 may come first.
    expect(updates.every((u) => u.replies.length === 0 && u.previous !== undefined)).toBe(true);
    for (const u of updates) Object.assign(series.find((s) => s.id === u.seriesId) as Series, { previous: u.previous, partialReroll: u.partialReroll });
    const byId = (l: Series[]): unknown[] => [...l].sort((a, b) => a.id.localeCompare(b.id)).map(shape);
    expect(byId(series)).toEqual(byId(batch.series));
    expect(r.accounting).toEqual(batch.accounting);
  });

  it('accounts for every mail of the whole corpus when every thread is emitted at once', async () => {
    const files = corpusFiles(sharedPath('corpus'));
    const batch = await ingest(files, { keep: 'compact' });
    const { r } = await collect(readSources(files), 1);
    const a = r.accounting;
    expect(a.read).toBe(batch.accounting.read);
    expect(a.read).toBe(a.seriesMembers + a.replies + a.other + a.duplicates + a.quarantined);
    expect(a.duplicates).toBe(batch.accounting.duplicates);
    expect(a.quarantined).toBe(batch.accounting.quarantined);
    expect(r.lateReplies).toBeGreaterThan(0);
  });
});
