/**
 * patchwork's series scenarios (corpus/patchwork/series, from patchwork/tests/data/series)
 * grouped as patchwork's own tests (patchwork/tests/test_series.py) expect: how many cover
 * letters, patches and comments are parsed, and how many patches (and covers) each series
 * gets, series ordered by date. Plus what patchwork's tests leave as TODO and we do:
 * the revision links.
 */
import { it, expect } from 'vitest';
import { describeShared, sharedPath } from '../support/shared-data.js';
import { ingest, type IngestResult } from '../../src/ingest/ingest.js';
import type { Series } from '../../src/model/series.js';

interface Case {
  file: string;
  /** [covers, patches, comments] as patchwork's _parse_mbox counts them. */
  counts: [number, number, number];
  /** Patches per series, series by date. */
  patches: number[];
  /** Covers per series, when the test checks them. */
  covers?: number[];
  /** patchwork's received_all, per series. */
  complete?: boolean[];
  /** The second series' previous revision is the first series. */
  linked?: boolean;
  /** Mails quarantined (with the named reason's code). */
  quarantined?: string[];
}

const CASES: Case[] = [
  { file: 'base-single-patch.mbox', counts: [0, 1, 0], patches: [1], complete: [true] },
  { file: 'base-cover-letter.mbox', counts: [1, 2, 0], patches: [2], covers: [1], complete: [true] },
  { file: 'base-no-cover-letter.mbox', counts: [0, 2, 0], patches: [2] },
  { file: 'base-deep-threaded.mbox', counts: [1, 2, 0], patches: [2], covers: [1] },
  { file: 'base-out-of-order.mbox', counts: [1, 2, 0], patches: [2], covers: [1] },
  { file: 'base-different-versions.mbox', counts: [1, 4, 0], patches: [4], covers: [1] },
  { file: 'bugs-multiple-references.mbox', counts: [1, 4, 0], patches: [4], covers: [1] },
  { file: 'base-no-references.mbox', counts: [0, 2, 0], patches: [2] },
  { file: 'base-no-references-no-cover.mbox', counts: [1, 2, 0], patches: [2], covers: [1] },
  { file: 'bugs-multiple-content-types.mbox', counts: [0, 1, 1], patches: [1] },
  { file: 'revision-basic.mbox', counts: [2, 4, 0], patches: [2, 2], covers: [1, 1], linked: true },
  { file: 'revision-threaded-to-single-patch.mbox', counts: [0, 2, 0], patches: [1, 1], linked: true },
  { file: 'revision-threaded-to-cover.mbox', counts: [2, 4, 0], patches: [2, 2], covers: [1, 1], linked: true },
  { file: 'revision-threaded-to-patch.mbox', counts: [2, 4, 0], patches: [2, 2], covers: [1, 1], linked: true },
  { file: 'revision-out-of-order.mbox', counts: [2, 4, 0], patches: [2, 2], covers: [1, 1], linked: true },
  { file: 'revision-no-cover-letter.mbox', counts: [1, 4, 0], patches: [2, 2], covers: [1, 0] },
  { file: 'revision-unlabeled.mbox', counts: [2, 4, 0], patches: [2, 2], covers: [1, 1] },
  { file: 'revision-unlabeled-noreferences.mbox', counts: [0, 4, 0], patches: [2, 2] },
  { file: 'bugs-unnumbered.mbox', counts: [1, 2, 0], patches: [1, 1], covers: [1, 0] },
  { file: 'bugs-nocover-noversion.mbox', counts: [0, 4, 0], patches: [2, 2], linked: true },
  { file: 'bugs-nocover.mbox', counts: [0, 4, 0], patches: [2, 2], linked: true },
  { file: 'bugs-spamming.mbox', counts: [0, 3, 0], patches: [1, 1, 1] },
  { file: 'bugs-mixed-versions.mbox', counts: [0, 2, 0], patches: [1, 1] },
  { file: 'base-incomplete.mbox', counts: [1, 1, 0], patches: [1], covers: [1], complete: [false] },
  // Its [PATCH 3/2] carries a broken diff (hunk headers of the two files swapped): the
  // patch stays in the series (with its error, no files) and is quarantined.
  { file: 'base-extra-patches.mbox', counts: [1, 3, 0], patches: [3], covers: [1], complete: [true], quarantined: ['broken-diff'] },
  { file: 'mercurial-cover-letter.mbox', counts: [1, 2, 0], patches: [2], covers: [1] },
  { file: 'mercurial-no-cover-letter.mbox', counts: [0, 2, 0], patches: [2] },
  { file: 'dependency-base-patch.mbox', counts: [1, 2, 0], patches: [2], covers: [1], complete: [true] },
];

function roleCounts(r: IngestResult): [number, number, number] {
  const covers = r.series.filter((s) => s.cover).length;
  const patches = r.series.reduce((n, s) => n + s.patches.length, 0);
  return [covers, patches, r.accounting.replies + r.accounting.other];
}

const byDate = (series: Series[]): Series[] =>
  [...series].sort((a, b) => Date.parse(a.date ?? '') - Date.parse(b.date ?? ''));

describeShared('patchwork series scenarios (corpus/patchwork/series)', () => {
  for (const c of CASES) {
    it(c.file, async () => {
      const r = await ingest([sharedPath('corpus', 'patchwork', 'series', c.file)]);
      expect(r.quarantined.map((q) => q.code)).toEqual(c.quarantined ?? []);
      expect(roleCounts(r)).toEqual(c.counts);
      const series = byDate(r.series);
      expect(series.map((s) => s.patches.length)).toEqual(c.patches);
      if (c.covers) expect(series.map((s) => (s.cover ? 1 : 0))).toEqual(c.covers);
      if (c.complete) expect(series.map((s) => s.missing.length === 0)).toEqual(c.complete);
      for (const s of series) {
        const counters = s.patches.map((p) => p.counter);
        expect(counters).toEqual([...counters].sort((a, b) => a - b));
      }
      if (c.linked) {
        expect(series[1]?.previous).toBe(series[0]?.id);
        expect(series[0]?.previous).toBeNull();
      }
    });
  }

  it('a member with a broken diff is kept in its series with the reason, and quarantined once', async () => {
    const r = await ingest([sharedPath('corpus', 'patchwork', 'series', 'base-extra-patches.mbox')]);
    const p3 = r.series[0]?.patches.find((p) => p.counter === 3);
    expect(p3?.error?.code).toBe('broken-diff');
    expect(p3?.error?.reason).toMatch(/hunk/);
    expect(p3?.files).toEqual([]);
    expect(r.quarantined[0]?.messageId).toBe(p3?.messageId);
    expect(r.quarantined[0]?.source).toMatch(/base-extra-patches\.mbox#4$/);
    expect(r.accounting).toEqual({ read: 4, seriesMembers: 3, replies: 0, other: 0, duplicates: 0, quarantined: 1 });
  });

  it('an incomplete series names its missing counter', async () => {
    const r = await ingest([sharedPath('corpus', 'patchwork', 'series', 'base-incomplete.mbox')]);
    expect(r.series[0]?.missing).toEqual([2]);
  });

  it('unthreaded series are grouped by sender, tags and time, and say so', async () => {
    const r = await ingest([sharedPath('corpus', 'patchwork', 'series', 'base-no-references-no-cover.mbox')]);
    expect(r.series).toHaveLength(1);
    expect(r.series[0]?.threading).toBe('unthreaded');
    const t = await ingest([sharedPath('corpus', 'patchwork', 'series', 'base-cover-letter.mbox')]);
    expect(t.series[0]?.threading).toBe('threaded');
  });

  it('a cover labelled v3 over unlabelled patches gives the series revision 3', async () => {
    const r = await ingest([sharedPath('corpus', 'patchwork', 'series', 'base-different-versions.mbox')]);
    expect(r.series[0]?.revision).toBe(3);
    expect(r.series[0]?.tree).toBe('net-next');
  });
});
