/**
 * Every real bpf-next thread in ../shared/corpus/bpf-list-threads yields its series: the
 * folder name says revision, total and tree; the .eml file names say which counters are
 * there, so the counters that are not are the ones the series must report missing.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeShared, sharedPath, sharedRoot } from '../support/shared-data.js';
import { ingest } from '../../src/ingest/ingest.js';

interface Expected {
  folder: string;
  revision: number;
  total: number;
  tree: string;
  present: number[];
  replyFiles: number;
  files: number;
}

const NAME_RE = /^(?:PATCH-)?(?:v(\d+)-)?(bpf-next|bpf)-(?:v(\d+)-)?(\d+)-(\d+)-/;

function expectedOf(folder: string): Expected {
  const m = NAME_RE.exec(folder);
  if (!m) throw new Error(`cannot read ${folder}`);
  const total = Number(m[5]);
  const files = readdirSync(sharedPath('corpus', 'bpf-list-threads', folder)).filter((f) => f.endsWith('.eml'));
  const present = new Set<number>();
  for (const f of files) {
    const rest = f.replace(/^\d+-/, '');
    if (rest.startsWith('re-')) continue;
    const c = /(?:^|-)(\d+)-(\d+)-/.exec(rest.replace(/^(?:PATCH-)?(?:v\d+-)?(?:bpf-next|bpf)-(?:v\d+-)?/, 'X-'));
    if (c && Number(c[2]) === total) present.add(Number(c[1]));
  }
  return {
    folder,
    revision: Number(m[1] ?? m[3] ?? 1),
    total,
    tree: m[2] as string,
    present: [...present].sort((a, b) => a - b),
    replyFiles: files.filter((f) => /^\d+-re-/.test(f)).length,
    files: files.length,
  };
}

const folders = sharedRoot ? readdirSync(sharedPath('corpus', 'bpf-list-threads')).sort() : [];

describeShared('real bpf-next threads (corpus/bpf-list-threads)', () => {
  it('has the 19 threads', () => {
    expect(folders.length).toBe(19);
  });
  for (const folder of folders) {
    it(folder, async () => {
      const exp = expectedOf(folder);
      const r = await ingest([sharedPath('corpus', 'bpf-list-threads', folder, 'thread.mboxrd')]);
      const a = r.accounting;
      expect(a.read).toBe(a.seriesMembers + a.replies + a.other + a.duplicates + a.quarantined);
      expect(r.messages).toBe(exp.files);
      const s = r.series.find((x) => x.revision === exp.revision && x.total === exp.total && x.cover !== null);
      expect(s, `series v${exp.revision} 0/${exp.total}`).toBeDefined();
      if (!s) return;
      expect(s.tree).toBe(exp.tree);
      expect(s.cover?.messageId).toBe(s.id);
      const counters = s.patches.map((p) => p.counter);
      expect(counters).toEqual(exp.present.filter((c) => c > 0));
      const missing = [];
      for (let c = 1; c <= exp.total; c++) if (!exp.present.includes(c)) missing.push(c);
      expect(s.missing).toEqual(missing);
      expect(s.threading).toBe('threaded');
      for (const p of s.patches) {
        expect(p.error, `${p.subject}: ${p.error?.reason}`).toBeUndefined();
        expect(p.files.length).toBeGreaterThan(0);
      }
      // Every mail of the thread is a member of a series or attached to one (some threads
      // carry a second series posted into them, or a reply with a new subject).
      expect(a.other).toBe(0);
      expect(a.quarantined).toBe(0);
      expect(a.duplicates).toBe(0);
      const attached = r.series.reduce((n, x) => n + x.coverReplies.length + x.patches.reduce((k, p) => k + p.replies.length, 0), 0);
      expect(attached).toBe(a.replies);
      expect(a.replies).toBeGreaterThanOrEqual(exp.replyFiles - (exp.files - exp.replyFiles - exp.present.length));
    });
  }
});

describe('folder name reading', () => {
  it('reads revision and total in both tag orders', () => {
    expect(NAME_RE.exec('PATCH-v2-bpf-next-0-6-x')?.slice(1, 6)).toEqual(['2', 'bpf-next', undefined, '0', '6']);
    expect(NAME_RE.exec('PATCH-bpf-next-v10-00-23-x')?.slice(1, 6)).toEqual([undefined, 'bpf-next', '10', '00', '23']);
  });
});
