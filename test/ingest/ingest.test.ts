/**
 * The ingest pipeline: accounting that always adds up, compact mode giving the same series
 * as full mode, unreadable sources as SourceUnreadableError, raw messages from anywhere.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot, describeShared, sharedPath } from '../support/shared-data.js';
import { ingest, ingestMessages, type IngestResult } from '../../src/ingest/ingest.js';
import { SourceUnreadableError } from '../../src/model/errors.js';
import type { RawMessage } from '../../src/model/message.js';

const fixture = join(projectRoot, 'test', 'ingest', 'fixtures', 'small-series.mbox');

async function* raws(items: string[]): AsyncGenerator<RawMessage> {
  let i = 0;
  for (const s of items) yield { source: `mem#${++i}`, bytes: Buffer.from(s) };
}

const shape = (r: IngestResult): unknown =>
  r.series.map((s) => ({
    id: s.id,
    revision: s.revision,
    total: s.total,
    cover: s.cover?.messageId ?? null,
    missing: s.missing,
    previous: s.previous,
    patches: s.patches.map((p) => ({
      counter: p.counter,
      id: p.messageId,
      files: p.files.map((f) => [f.oldPath, f.newPath, f.status, f.added, f.deleted]),
      trailers: p.trailers,
      replies: p.replies,
      error: p.error?.code ?? null,
    })),
    coverReplies: s.coverReplies,
    followupTrailers: s.followupTrailers,
  }));

describe('ingestMessages', () => {
  it('accounts for every message read: members, replies, other, duplicates, quarantined', async () => {
    const r = await ingestMessages(raws([
      'From: A <a@x.org>\nSubject: [PATCH 1/1] x\nMessage-ID: <p@x>\n\nfix\n---\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n',
      'From: B <b@x.org>\nSubject: Re: [PATCH 1/1] x\nMessage-ID: <r@x>\nIn-Reply-To: <p@x>\n\nok\n',
      'From: B <b@x.org>\nSubject: Re: [PATCH 1/1] x\nMessage-ID: <r@x>\nIn-Reply-To: <p@x>\n\nok again\n',
      'From: C <c@x.org>\nSubject: hello\nMessage-ID: <o@x>\n\nhi\n',
      '',
    ]));
    expect(r.accounting).toEqual({ read: 5, seriesMembers: 1, replies: 1, other: 1, duplicates: 1, quarantined: 1 });
    expect(r.quarantined).toEqual([{ source: 'mem#5', messageId: null, code: 'malformed-message', reason: expect.stringMatching(/empty/) }]);
    expect(r.messagesById.get('r@x')?.body).toBe('ok\n');
    expect(r.series[0]?.patches[0]?.replies).toEqual(['r@x']);
  });

  it('keep: compact drops bodies and hunks but keeps what the series say', async () => {
    const full = await ingest([fixture]);
    const compact = await ingest([fixture], { keep: 'compact' });
    expect(shape(compact)).toEqual(shape(full));
    expect(compact.accounting).toEqual(full.accounting);
    expect([...compact.messagesById.values()].every((m) => m.body === '')).toBe(true);
    expect(full.series[0]?.patches[0]?.files[0]?.hunks.length).toBeGreaterThan(0);
    expect(compact.series[0]?.patches[0]?.files[0]?.hunks).toEqual([]);
  });
});

describe('ingest', () => {
  it('an unreadable source is a SourceUnreadableError, before anything is read', async () => {
    await expect(ingest([fixture, '/nonexistent/dir/x.mbox'])).rejects.toBeInstanceOf(SourceUnreadableError);
  });

  it('several sources are read as one run', async () => {
    const r = await ingest([fixture, fixture]);
    expect(r.accounting.read).toBe(14);
    // The second copy: 6 ids seen before, its bad mail quarantined again; plus the first copy's own duplicate.
    expect(r.accounting).toEqual({ read: 14, seriesMembers: 2, replies: 1, other: 1, duplicates: 7, quarantined: 3 });
  });
});

describeShared('ingest on real data', () => {
  it('compact and full agree on a real 46-message thread with two extra series', async () => {
    const p = sharedPath('corpus', 'bpf-list-threads', 'PATCH-v3-bpf-next-00-11-bpf-cgroup-Add-BPF-support-for-cgroup1-hierarc', 'thread.mboxrd');
    const full = await ingest([p]);
    const compact = await ingest([p], { keep: 'compact' });
    expect(shape(compact)).toEqual(shape(full));
    expect(full.series.map((s) => s.revision).sort()).toEqual([1, 2, 3]);
    // The v2 compiler-gcc patch is not linked to v1: a new title and not posted in reply to it.
    expect(full.series.every((s) => s.previous === null)).toBe(true);
  });

  it('every mail file of the corpus, read in one run, is accounted for', async () => {
    const files: string[] = [];
    const walk = (p: string): void => {
      for (const n of readdirSync(p, { withFileTypes: true })) {
        const q = join(p, n.name);
        if (n.isDirectory()) walk(q);
        else if (/\.(eml|mbox|mboxrd)$/.test(n.name)) files.push(q);
      }
    };
    walk(sharedPath('corpus'));
    expect(files.length).toBeGreaterThan(500);
    const r = await ingest(files, { keep: 'compact' });
    const a = r.accounting;
    expect(a.read).toBe(a.seriesMembers + a.replies + a.other + a.duplicates + a.quarantined);
    expect(a.duplicates).toBeGreaterThan(0); // each bpf thread is there as .eml files and as thread.mboxrd
    expect(r.quarantined.length).toBe(a.quarantined);
    for (const q of r.quarantined) {
      expect(q.source.startsWith(sharedPath('corpus'))).toBe(true);
      expect(q.reason).not.toBe('');
    }
  });

  it('compact (summary patches, no To/Cc read) and full agree on the whole corpus', async () => {
    const files: string[] = [];
    const walk = (p: string): void => {
      for (const n of readdirSync(p, { withFileTypes: true })) {
        const q = join(p, n.name);
        if (n.isDirectory()) walk(q);
        else if (/\.(eml|mbox|mboxrd)$/.test(n.name)) files.push(q);
      }
    };
    walk(sharedPath('corpus'));
    const full = await ingest(files);
    const compact = await ingest(files, { keep: 'compact' });
    expect(shape(compact)).toEqual(shape(full));
    expect(compact.accounting).toEqual(full.accounting);
    expect(compact.quarantined).toEqual(full.quarantined);
    expect(full.series.length).toBeGreaterThan(50);
  });

  it('the odd real mails in corpus/oddities are all accounted for', async () => {
    const dirs = readdirSync(sharedPath('corpus', 'oddities')).map((d) => sharedPath('corpus', 'oddities', d));
    const r = await ingest(dirs);
    const a = r.accounting;
    expect(a.read).toBeGreaterThan(0);
    expect(a.read).toBe(a.seriesMembers + a.replies + a.other + a.duplicates + a.quarantined);
    for (const q of r.quarantined) expect(q.reason.length).toBeGreaterThan(10);
  });
});
