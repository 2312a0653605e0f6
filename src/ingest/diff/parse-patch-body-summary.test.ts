/**
 * parsePatchBody({ summary: true }) (what compact ingest keeps) against the full reading: the
 * same trailers, files and counts, meta lines, in-body headers and errors, on every mail of
 * the corpus and on broken diffs.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeShared, sharedPath } from '../../../test/support/shared-data.js';
import type { PatchBody } from '../../model/patch.js';
import { loadMail } from './fixtures/load-mail.js';
import { parsePatchBody } from './parse-patch-body.js';
import { patchTextOf } from './patch-text-of.js';

/** What the summary must agree on, and what it must leave out. */
function agree(text: string): void {
  const full = parsePatchBody(text);
  const sum = parsePatchBody(text, { summary: true });
  if (!full.ok || !sum.ok) {
    expect(sum.ok).toBe(full.ok);
    if (!full.ok && !sum.ok) expect(sum.error.message).toBe(full.error.message);
    return;
  }
  const f = full.value;
  const s = sum.value;
  const kept = (b: PatchBody): unknown => ({
    trailers: b.trailers, diffBodyLine: b.diffBodyLine, baseCommit: b.baseCommit, prerequisitePatchIds: b.prerequisitePatchIds,
    changeId: b.changeId, inBodyFrom: b.inBodyFrom, inBodySubject: b.inBodySubject,
    files: b.files.map((x) => ({ ...x, hunks: [] })),
  });
  expect(kept(s)).toEqual(kept(f));
  expect([s.commitMessage, s.notes, s.diffText, s.diffstat, s.signature]).toEqual(['', '', '', [], null]);
  expect(s.files.every((x) => x.hunks.length === 0)).toBe(true);
}

const DIFF = 'diff --git a/f.c b/f.c\nindex 1111111..2222222 100644\n--- a/f.c\n+++ b/f.c\n@@ -1,2 +1,2 @@\n ctx\n-old\n+new\n';

describe('parsePatchBody summary', () => {
  it('agrees with the full reading on a patch with notes, diffstat, meta and signature', () => {
    agree(`From: Ann <ann@example.org>\n\nmsg\n\nSigned-off-by: Ann <ann@example.org>\n---\nv2: x\n\n f.c | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)\n\n${DIFF}\nbase-commit: abc\nchange-id: 20240101-x\n-- \n2.40.0\n`);
  });

  it('gives the same BrokenDiffError for wrong counts, a cut hunk, a doubled file and a second patch', () => {
    agree(`msg\n---\n${DIFF.replace('@@ -1,2 +1,2 @@', '@@ -1,3 +1,2 @@')}`);
    agree(`msg\n---\n${DIFF}+extra\n`);
    agree(`msg\n---\n${DIFF}${DIFF}`);
    agree(`msg\n---\n${DIFF}-- \n2.40\n\n${DIFF}`);
    agree(`msg\r\n---\r\n${DIFF.replace(/\n/g, '\r\n')}`);
    expect(parsePatchBody(`msg\n---\n${DIFF}+extra\n`, { summary: true }).ok).toBe(false);
  });
});

describeShared('parsePatchBody summary on the corpus', () => {
  it('agrees with the full reading on every mail body and patch attachment', async () => {
    const files: string[] = [];
    const walk = (p: string): void => {
      for (const n of readdirSync(p, { withFileTypes: true })) {
        const q = join(p, n.name);
        if (n.isDirectory()) walk(q);
        else if (/\.eml$/.test(n.name)) files.push(q);
      }
    };
    walk(sharedPath('corpus'));
    expect(files.length).toBeGreaterThan(300);
    let withDiff = 0;
    for (const file of files) {
      const m = await loadMail(file);
      agree(m.body);
      const pt = patchTextOf(m);
      if (pt) {
        withDiff++;
        if (pt.fromAttachment) agree(pt.text);
      }
    }
    expect(withDiff).toBeGreaterThan(150);
  }, 60_000);
});
