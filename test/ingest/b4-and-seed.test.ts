/**
 * b4's samples (corpus/b4) with the outputs b4 expects (.verify: the patches b4 would
 * apply, newest first, each with its author, title, body and trailers; *-ref-*.txt), and
 * the seed threads (seed/thread): a 2-patch series without cover with replies to 1/2, and
 * v5 1/9 alone with patchwork-bot's reply to the absent cover.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { describeShared, sharedPath } from '../support/shared-data.js';
import { ingest } from '../../src/ingest/ingest.js';
import type { Series } from '../../src/model/series.js';

interface VerifyBlock {
  title: string;
  trailers: string[];
}

/** A b4 .verify file: blocks split by '---', each: author email(s), title, body, trailers. */
function readVerify(path: string): VerifyBlock[] {
  const blocks = readFileSync(path, 'utf8').split(/^---$/m).map((b) => b.trim()).filter(Boolean);
  return blocks.map((b) => {
    const lines = b.split('\n');
    const titleAt = lines.findIndex((l) => !/^\S+@\S+$/.test(l));
    return {
      title: lines[titleAt] as string,
      // The last paragraph holds the trailers; b4's own sign-off (test-override) is not ours.
      trailers: (b.split(/\n\n/).pop() ?? '').split('\n').filter((l) => /^[A-Z][A-Za-z-]+: \S/.test(l) && !/test-override@/.test(l)),
    };
  });
}

const trailerLine = (t: { name: string; value: string }): string => `${t.name}: ${t.value}`;

/** The trailers b4 would put on a patch: its own, then follow-ups given to it or to the cover. */
function appliedTrailers(s: Series, counter: number): string[] {
  const p = s.patches.find((x) => x.counter === counter);
  const own = p?.trailers.map(trailerLine) ?? [];
  const follow = s.followupTrailers.filter((f) => f.counter === counter || f.counter === 0).map((f) => trailerLine(f.trailer));
  return [...own, ...follow.filter((f) => !own.includes(f))];
}

describeShared('b4 samples (corpus/b4)', () => {
  const b4 = (f: string): string => sharedPath('corpus', 'b4', f);

  it('shazam-git1-just-series: one series, cover and 4 patches, as b4 lists them', async () => {
    const r = await ingest([b4('shazam-git1-just-series.mbox')]);
    expect(r.series).toHaveLength(1);
    const s = r.series[0] as Series;
    expect(s.cover?.messageId).toBe('20221025-test1-v1-0-e4f28f57990c@linuxfoundation.org');
    expect(s.total).toBe(4);
    expect(s.missing).toEqual([]);
    const verify = readVerify(b4('shazam-git1-just-series-defaults.verify')).reverse();
    expect(s.patches.map((p) => p.subject.replace(/^\[[^\]]*\]\s*/, ''))).toEqual(verify.map((v) => v.title));
    s.patches.forEach((p, i) => {
      expect(p.trailers.map(trailerLine)).toEqual(verify[i]?.trailers);
      expect(p.files.length).toBeGreaterThan(0);
    });
  });

  for (const name of ['trailers-thread-with-followups', 'trailers-thread-with-cover-followup']) {
    it(`${name}: follow-up trailers from replies land on the patch b4 puts them on`, async () => {
      const r = await ingest([b4(`${name}.mbox`)]);
      expect(r.series).toHaveLength(1);
      const s = r.series[0] as Series;
      const verify = readVerify(b4(`${name}.verify`)).reverse();
      expect(verify).toHaveLength(4);
      verify.forEach((v, i) => {
        expect(appliedTrailers(s, i + 1).sort(), `patch ${i + 1}`).toEqual([...v.trailers].sort());
      });
      expect(r.accounting.replies).toBeGreaterThan(0);
      expect(r.accounting.other).toBe(0);
    });
  }

  it('trailers-followup-partial-reroll: v3 resends only 2/2; 1/2 comes from v2', async () => {
    const r = await ingest([b4('trailers-followup-partial-reroll.mbox')]);
    const v2 = r.series.find((s) => s.revision === 2);
    const v3 = r.series.find((s) => s.revision === 3);
    expect(v2?.cover?.messageId).toBe('cover-message@example.com');
    expect(v3?.patches.map((p) => p.counter)).toEqual([2]);
    expect(v3?.missing).toEqual([1]);
    expect(v3?.previous).toBe('cover-message@example.com');
    expect(v3?.partialReroll).toBe(true);
    expect(v2?.partialReroll).toBe(false);
    // Its hunk headers read "@@@ -1,1 +1,1 @@" (b4 does not check hunks; we do): every patch
    // is kept with its error and trailers, and quarantined.
    expect(r.quarantined.map((q) => [q.messageId, q.code])).toEqual([
      ['patch-1-message@example.com', 'broken-diff'],
      ['patch-2-message@example.com', 'broken-diff'],
      ['patch-v3-2-message@example.com', 'broken-diff'],
    ]);
    expect(v2?.patches[0]?.error?.reason).toMatch(/@@@/);
    // b4's expected result: v3 1/2 is v2's 1/2 with the cover letter's follow-up trailer.
    const ref = readFileSync(b4('trailers-followup-partial-reroll-ref-defaults.txt'), 'utf8');
    const first = ref.split(/^From git@z /m)[1] ?? '';
    const expected = first.split('\n').filter((l) => /^[A-Z][A-Za-z-]+-by: /.test(l) && !/test-override@/.test(l));
    expect(appliedTrailers(v2 as Series, 1).filter((t) => /-by: /.test(t))).toEqual(expected);
  });

  it('naked-cover-single: a plain mail answered by the sender\'s [PATCH] is its cover', async () => {
    const r = await ingest([b4('naked-cover-single.mbox')]);
    expect(r.series).toHaveLength(1);
    expect(r.series[0]?.cover?.messageId).toBe('20221025-widget-v1-0-author@example.org');
    expect(r.series[0]?.patches.map((p) => p.counter)).toEqual([1]);
    expect(r.accounting.seriesMembers).toBe(2);
  });

  it('naked-cover-bugreport: a bug report answered by someone else\'s [PATCH] is not a cover', async () => {
    const r = await ingest([b4('naked-cover-bugreport.mbox')]);
    expect(r.series).toHaveLength(1);
    expect(r.series[0]?.cover).toBeNull();
    expect(r.series[0]?.patches).toHaveLength(1);
    expect(r.accounting).toMatchObject({ seriesMembers: 1, other: 1 });
  });
});

describeShared('seed threads (seed/thread)', () => {
  const seed = (...p: string[]): string => sharedPath('seed', 'thread', ...p);

  it('a-*: 2-patch series without cover, the three replies attached to patch 1', async () => {
    const r = await ingest([seed('a-alexei-2patch-series-no-cover', 'thread.mboxrd')]);
    expect(r.series).toHaveLength(1);
    const s = r.series[0] as Series;
    expect(s.cover).toBeNull();
    expect(s.tree).toBe('bpf-next');
    expect(s.total).toBe(2);
    expect(s.missing).toEqual([]);
    expect(s.patches.map((p) => p.counter)).toEqual([1, 2]);
    expect(s.patches[0]?.replies).toHaveLength(3);
    expect(s.patches[1]?.replies).toHaveLength(0);
    expect(s.id).toBe('20221230010738.45277-1-alexei.starovoitov@gmail.com');
    expect(r.accounting).toEqual({ read: 5, seriesMembers: 2, replies: 3, other: 0, duplicates: 0, quarantined: 0 });
    expect(r.threads).toHaveLength(1);
    expect(r.threads[0]?.rootMissing).toBe(false);
  });

  it('c-*: v5 1/9 alone (8 missing), patchwork-bot\'s reply to the absent cover attached to the series', async () => {
    const r = await ingest([seed('c-v5-merged-version', 'thread.mboxrd')]);
    expect(r.series).toHaveLength(1);
    const s = r.series[0] as Series;
    expect(s.revision).toBe(5);
    expect(s.total).toBe(9);
    expect(s.cover).toBeNull();
    expect(s.missing).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(s.patches[0]?.files.length).toBeGreaterThan(0);
    expect(s.coverReplies).toEqual(['167632921677.17957.18150265210526463163.git-patchwork-notify@kernel.org']);
    expect(r.threads).toHaveLength(1);
    expect(r.threads[0]).toMatchObject({ root: '20230212092715.1422619-1-davemarchevsky@fb.com', rootMissing: true });
  });

  it('b-*: replies whose patch is not available are other mail, in one thread', async () => {
    const r = await ingest([seed('b-v2-02of13-replies-parent-not-available', 'thread.mboxrd')]);
    expect(r.series).toEqual([]);
    expect(r.accounting).toMatchObject({ read: 3, other: 3, seriesMembers: 0 });
    expect(r.threads).toHaveLength(1);
    expect(r.threads[0]?.rootMissing).toBe(true);
  });

  it('the a-* .eml files read as a folder give the same series as its mbox', async () => {
    const a = await ingest([seed('a-alexei-2patch-series-no-cover')]);
    const b = await ingest([seed('a-alexei-2patch-series-no-cover', 'thread.mboxrd')]);
    const shape = (s: Series): unknown => ({ id: s.id, patches: s.patches.map((p) => [p.counter, p.messageId, p.replies.length]) });
    expect(a.series.map(shape)).toEqual(b.series.map(shape));
  });
});
