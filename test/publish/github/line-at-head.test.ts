import { describe, expect, it } from 'vitest';
import { lineAtHead } from '../../../src/report/github/line-at-head.js';
import { parsePatchBody } from '../../../src/ingest/diff/parse-patch-body.js';
import type { Patch } from '../../../src/model/index.js';
import { seriesOf } from '../support/build-series.js';

function patch(counter: number, diff: string): Patch {
  const body = parsePatchBody(`Change.\n\nSigned-off-by: A <a@example.org>\n---\n${diff}-- \n2.40.0\n`);
  if (!body.ok) throw body.error;
  return { ...body.value, counter, messageId: `p${counter}@x`, subject: `p${counter}`, author: null, date: null, replies: [] };
}

const p1 = patch(1, `diff --git a/a.c b/a.c
index 0000001..0000002 100644
--- a/a.c
+++ b/a.c
@@ -1,2 +1,3 @@
 line1
+added
 line2
`);
const p2 = patch(2, `diff --git a/a.c b/a.c
index 0000002..0000003 100644
--- a/a.c
+++ b/a.c
@@ -1,3 +1,5 @@
 line1
+ins1
+ins2
 added
 line3
@@ -5,0 +8,2 @@
+more1
+more2
@@ -10,3 +14,2 @@
 line10
-line11
 line12
`);
const p3 = patch(3, `diff --git a/a.c b/b.c
similarity index 100%
rename from a.c
rename to b.c
`);
const series = seriesOf([p1, p2, p3]);

describe('lineAtHead', () => {
  it('moves a line through later hunks, renames, and drops lines a later commit changed', () => {
    expect(lineAtHead(series, 1, 'a.c', 1)).toEqual({ file: 'b.c', line: 1 });
    expect(lineAtHead(series, 1, 'a.c', 2)).toEqual({ file: 'b.c', line: 4 });
    expect(lineAtHead(series, 1, 'a.c', 4)).toEqual({ file: 'b.c', line: 6 });
    expect(lineAtHead(series, 1, 'a.c', 5)).toEqual({ file: 'b.c', line: 7 });
    expect(lineAtHead(series, 1, 'a.c', 6)).toEqual({ file: 'b.c', line: 10 });
    expect(lineAtHead(series, 1, 'a.c', 11)).toBeNull();
    expect(lineAtHead(series, 1, 'a.c', 12)).toEqual({ file: 'b.c', line: 15 });
    expect(lineAtHead(series, 1, 'a.c', 30)).toEqual({ file: 'b.c', line: 33 });
    expect(lineAtHead(series, 3, 'b.c', 7)).toEqual({ file: 'b.c', line: 7 });
    expect(lineAtHead(series, 1, 'other.c', 7)).toEqual({ file: 'other.c', line: 7 });
  });

  it('has no line at the head in a file a later commit deletes', () => {
    const del = patch(4, `diff --git a/b.c b/b.c
deleted file mode 100644
index 0000003..0000000
--- a/b.c
+++ /dev/null
@@ -1,1 +0,0 @@
-line1
`);
    expect(lineAtHead(seriesOf([p1, p2, p3, del]), 1, 'a.c', 1)).toBeNull();
  });
});
