import { describe, expect, it } from 'vitest';
import { applyFileDiffs } from '../../src/engine/apply-file-diffs.js';
import { parseDiff } from '../../src/ingest/diff/parse-diff-text.js';
import { PatchDoesNotApplyError } from '../../src/model/errors.js';

function diffs(text: string) {
  const r = parseDiff(text);
  if (!r.ok) throw r.error;
  return r.value;
}

const base = new Map([['a.c', 'one\ntwo\nthree\n']]);

describe('applyFileDiffs', () => {
  it('applies a hunk whose header names a line far beyond a short file', () => {
    const d = diffs('diff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n@@ -9000,3 +9000,3 @@ f\n one\n-two\n+2\n three\n');
    expect(applyFileDiffs(base, d).get('a.c')).toBe('one\n2\nthree\n');
  });
  it('adds, deletes and renames files', () => {
    const d = diffs([
      'diff --git a/new.c b/new.c', 'new file mode 100644', '--- /dev/null', '+++ b/new.c', '@@ -0,0 +1,1 @@', '+x',
      'diff --git a/a.c b/b.c', 'similarity index 100%', 'rename from a.c', 'rename to b.c', '',
    ].join('\n'));
    const out = applyFileDiffs(base, d);
    expect(out.get('new.c')).toBe('x\n');
    expect(out.has('a.c')).toBe(false);
    expect(out.get('b.c')).toBe('one\ntwo\nthree\n');
  });
  it('names the file and hunk that does not apply', () => {
    const d = diffs('diff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n@@ -1,2 +1,2 @@\n one\n-zwei\n+2\n');
    try {
      applyFileDiffs(base, d, 'patch 1');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PatchDoesNotApplyError);
      expect((e as PatchDoesNotApplyError).file).toBe('a.c');
      expect((e as PatchDoesNotApplyError).hunk).toBe('@@ -1,2 +1,2 @@');
    }
  });
});
