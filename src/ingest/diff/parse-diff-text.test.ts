import { describe, expect, it } from 'vitest';
import type { FileDiff } from '../../model/diff.js';
import { BrokenDiffError } from '../../model/errors.js';
import { parseDiff } from './parse-diff-text.js';

function files(text: string, first = 1): FileDiff[] {
  const r = parseDiff(text, first);
  if (!r.ok) throw r.error;
  return r.value;
}
function only(text: string): FileDiff {
  const fs = files(text);
  expect(fs).toHaveLength(1);
  return fs[0] as FileDiff;
}
function brokenMessage(text: string): string {
  const r = parseDiff(text);
  expect(r.ok).toBe(false);
  if (r.ok) return '';
  expect(r.error).toBeInstanceOf(BrokenDiffError);
  expect(r.error.code).toBe('broken-diff');
  return r.error.message;
}

const MODIFY = [
  'diff --git a/kernel/bpf/core.c b/kernel/bpf/core.c',
  'index 1111111..2222222 100644',
  '--- a/kernel/bpf/core.c',
  '+++ b/kernel/bpf/core.c',
  '@@ -10,6 +10,7 @@ static int bpf_check(struct bpf_prog *prog)',
  ' \tint a;',
  ' \tint b;',
  '-\tint c;',
  '+\tint c = 0;',
  '+\tint d;',
  ' ',
  ' \treturn a;',
  ' }',
  '',
].join('\n');

describe('parseDiff: git diffs', () => {
  it('reads a modified file with line numbers, body lines, section and counts', () => {
    const f = only(MODIFY);
    expect(f).toMatchObject({
      oldPath: 'kernel/bpf/core.c', newPath: 'kernel/bpf/core.c', status: 'modified',
      oldBlob: '1111111', newBlob: '2222222', oldMode: '100644', newMode: '100644', added: 2, deleted: 1, binary: false,
    });
    const h = f.hunks[0]!;
    expect(h.section).toBe('static int bpf_check(struct bpf_prog *prog)');
    expect(h).toMatchObject({ oldStart: 10, oldLines: 6, newStart: 10, newLines: 7, bodyLine: 5 });
    expect(h.lines.map((l) => [l.kind, l.oldLine, l.newLine, l.bodyLine])).toEqual([
      ['ctx', 10, 10, 6], ['ctx', 11, 11, 7], ['del', 12, null, 8], ['add', null, 12, 9], ['add', null, 13, 10],
      ['ctx', 13, 14, 11], ['ctx', 14, 15, 12], ['ctx', 15, 16, 13],
    ]);
    expect(h.lines[2]!.text).toBe('\tint c;');
  });

  it('offsets body lines by firstBodyLine', () => {
    const f = files(MODIFY, 40)[0]!;
    expect(f.hunks[0]!.bodyLine).toBe(44);
    expect(f.hunks[0]!.lines[0]!.bodyLine).toBe(45);
  });

  it('accepts CRLF line ends and a blank context line whose space a mailer stripped', () => {
    const f = only(MODIFY.replace(/\n \n/, '\n\n').replace(/\n/g, '\r\n'));
    expect(f.hunks[0]!.lines[5]).toMatchObject({ kind: 'ctx', text: '', oldLine: 13 });
    expect(f.added).toBe(2);
  });

  it('reads new and deleted files with /dev/null and their modes', () => {
    const fs = files([
      'diff --git a/new.c b/new.c', 'new file mode 100644', 'index 0000000..e69de29',
      '--- /dev/null', '+++ b/new.c', '@@ -0,0 +1,2 @@', '+int x;', '+int y;',
      'diff --git a/old.c b/old.c', 'deleted file mode 100755', 'index 89abcde..0000000',
      '--- a/old.c', '+++ /dev/null', '@@ -1 +0,0 @@', '-gone', '',
    ].join('\n'));
    expect(fs[0]).toMatchObject({ oldPath: null, newPath: 'new.c', status: 'added', newMode: '100644', added: 2 });
    expect(fs[0]!.hunks[0]!.lines[1]!.newLine).toBe(2);
    expect(fs[1]).toMatchObject({ oldPath: 'old.c', newPath: null, status: 'deleted', oldMode: '100755', deleted: 1 });
    expect(fs[1]!.hunks[0]).toMatchObject({ oldLines: 1, newLines: 0 });
  });

  it('reads an empty new file (no hunk) and a mode change', () => {
    const fs = files([
      'diff --git a/empty b/empty', 'new file mode 100644', 'index 0000000..e69de29',
      'diff --git a/scripts/run.sh b/scripts/run.sh', 'old mode 100644', 'new mode 100755', '',
    ].join('\n'));
    expect(fs[0]).toMatchObject({ newPath: 'empty', status: 'added', hunks: [] });
    expect(fs[1]).toMatchObject({ oldPath: 'scripts/run.sh', newPath: 'scripts/run.sh', status: 'modified', oldMode: '100644', newMode: '100755' });
  });

  it('reads renames (pure and with changes) and copies', () => {
    const fs = files([
      'diff --git a/a/x.c b/b/y.c', 'similarity index 100%', 'rename from a/x.c', 'rename to b/y.c',
      'diff --git a/lib/p.c b/lib/q.c', 'similarity index 90%', 'rename from lib/p.c', 'rename to lib/q.c',
      'index 1234567..89abcde 100644', '--- a/lib/p.c', '+++ b/lib/q.c', '@@ -1,2 +1,2 @@', ' keep', '-old', '+new',
      'diff --git a/m.c b/n.c', 'similarity index 80%', 'copy from m.c', 'copy to n.c', '',
    ].join('\n'));
    expect(fs[0]).toMatchObject({ oldPath: 'a/x.c', newPath: 'b/y.c', status: 'renamed', similarity: 100, hunks: [] });
    expect(fs[1]).toMatchObject({ oldPath: 'lib/p.c', newPath: 'lib/q.c', status: 'renamed', similarity: 90, added: 1, deleted: 1 });
    expect(fs[2]).toMatchObject({ oldPath: 'm.c', newPath: 'n.c', status: 'copied', similarity: 80 });
  });

  it('reads "Binary files differ" and GIT binary patch blocks, then goes on', () => {
    const fs = files([
      'diff --git a/img.png b/img.png', 'index 1111111..2222222 100644', 'Binary files a/img.png and b/img.png differ',
      'diff --git a/blob.o b/blob.o', 'new file mode 100644', 'index 0000000..f76dd23', 'GIT binary patch',
      'literal 12', 'IcmZPo000310RR91abcdef', '', 'literal 0', 'HcmV?d00001', '',
      'diff --git a/c.bin b/c.bin', 'index 3333333..4444444 100644', 'GIT binary patch', 'delta 5',
      'McmZ?wbaD)M0ssI2', '', 'delta 5', 'McmZ?wbaD)M0ssI2', '',
      'diff --git a/t.c b/t.c', '--- a/t.c', '+++ b/t.c', '@@ -1 +1 @@', '-a', '+b', '',
    ].join('\n'));
    expect(fs.map((f) => [f.newPath, f.binary, f.status, f.hunks.length])).toEqual([
      ['img.png', true, 'modified', 0], ['blob.o', true, 'added', 0], ['c.bin', true, 'modified', 0], ['t.c', false, 'modified', 1],
    ]);
  });

  it('reads C-quoted names (tab, quote, octal UTF-8) and unquoted names with spaces', () => {
    const fs = files([
      'diff --git "a/tab\\there" "b/tab\\there"', '--- "a/tab\\there"', '+++ "b/tab\\there"', '@@ -1 +1 @@', '-a', '+b',
      'diff --git "a/caf\\303\\251 \\"x\\".txt" "b/caf\\303\\251 \\"x\\".txt"', 'new file mode 100644', 'index 0000000..1111111',
      '--- /dev/null', '+++ "b/caf\\303\\251 \\"x\\".txt"', '@@ -0,0 +1 @@', '+hi',
      'diff --git a/dir with space/f.c b/dir with space/f.c', 'index 1111111..2222222 100644',
      '--- a/dir with space/f.c', '+++ b/dir with space/f.c', '@@ -1 +1 @@', '-a', '+b',
      'diff --git a/only mode b/only mode', 'old mode 100644', 'new mode 100755', '',
    ].join('\n'));
    expect(fs.map((f) => f.newPath)).toEqual(['tab\there', 'café "x".txt', 'dir with space/f.c', 'only mode']);
    expect(fs[1]!.status).toBe('added');
  });

  it('reads --no-prefix and mnemonic-prefix diffs', () => {
    const fs = files([
      'diff --git kernel/a.c kernel/a.c', 'index 1111111..2222222 100644', '--- kernel/a.c', '+++ kernel/a.c', '@@ -1 +1 @@', '-a', '+b',
      'diff --git i/b.c w/b.c', '--- i/b.c', '+++ w/b.c', '@@ -1 +1 @@', '-a', '+b', '',
    ].join('\n'));
    expect(fs.map((f) => [f.oldPath, f.newPath])).toEqual([['kernel/a.c', 'kernel/a.c'], ['b.c', 'b.c']]);
  });

  it('marks "\\ No newline at end of file" on the line it follows, without counting it', () => {
    const f = only(['diff --git a/f b/f', '--- a/f', '+++ b/f', '@@ -1,2 +1,2 @@', ' a', '-b', '\\ No newline at end of file', '+b', '\\ No newline at end of file', ''].join('\n'));
    const ls = f.hunks[0]!.lines;
    expect(ls.map((l) => [l.kind, l.noNewlineAtEof ?? false])).toEqual([['ctx', false], ['del', true], ['add', true]]);
    expect(ls[2]!.bodyLine).toBe(8);
  });

  it('reads hunk headers without counts and several hunks per file', () => {
    const f = only(['diff --git a/f b/f', '--- a/f', '+++ b/f', '@@ -3 +3 @@', '-x', '+y', '@@ -20,2 +20,3 @@ int main(void)', ' a', '+b', ' c', ''].join('\n'));
    expect(f.hunks.map((h) => [h.oldStart, h.oldLines, h.newStart, h.newLines, h.section])).toEqual([[3, 1, 3, 1, ''], [20, 2, 20, 3, 'int main(void)']]);
    expect(f.hunks[1]!.lines[2]).toMatchObject({ oldLine: 21, newLine: 22 });
  });

  it('ignores text between and after files', () => {
    const fs = files(['diff --git a/f b/f', '--- a/f', '+++ b/f', '@@ -1 +1 @@', '-x', '+y', '', 'some stray words', 'base-commit: abc', ''].join('\n'));
    expect(fs).toHaveLength(1);
  });
});

describe('parseDiff: non-git unified diffs', () => {
  it('reads diff -u output with timestamps, stripping the first component like patch -p1', () => {
    const fs = files([
      'diff -ruN linux.orig/net/core/dev.c linux/net/core/dev.c',
      '--- linux.orig/net/core/dev.c\t2011-12-05 10:00:00.000000000 +0100',
      '+++ linux/net/core/dev.c\t2011-12-06 10:00:00.000000000 +0100',
      '@@ -1,3 +1,3 @@', ' a', '-b', '+c', ' d',
      '--- /dev/null', '+++ b/net/core/new.c', '@@ -0,0 +1 @@', '+n',
      'Index: bfd/elf.c', '===================================================================',
      '--- bfd/elf.c.orig', '+++ bfd/elf.c', '@@ -1 +1 @@', '-a', '+b', '',
    ].join('\n'));
    expect(fs.map((f) => [f.oldPath, f.newPath, f.status])).toEqual([
      ['net/core/dev.c', 'net/core/dev.c', 'modified'],
      [null, 'net/core/new.c', 'added'],
      ['bfd/elf.c', 'bfd/elf.c', 'modified'],
    ]);
  });
});

describe('parseDiff: broken counts are named errors', () => {
  it('names file, hunk and counts when the hunk is cut short', () => {
    const msg = brokenMessage(['diff --git a/f.c b/f.c', '--- a/f.c', '+++ b/f.c', '@@ -1,3 +1,4 @@ fn', ' a', '+b', ' c', 'stray text', ''].join('\n'));
    expect(msg).toContain('f.c');
    expect(msg).toContain('@@ -1,3 +1,4 @@ fn');
    expect(msg).toContain('expected 3 old / 4 new lines, found 2 / 3');
  });

  it('reports a hunk that ends with the text', () => {
    const msg = brokenMessage(['diff --git a/f.c b/f.c', '--- a/f.c', '+++ b/f.c', '@@ -1,3 +1,3 @@', ' a', '-b', '+c', ''].join('\n'));
    expect(msg).toMatch(/found 2 \/ 2 before the end of the diff/);
  });

  it('reports more hunk lines than the header announces', () => {
    const msg = brokenMessage(['diff --git a/f.c b/f.c', '--- a/f.c', '+++ b/f.c', '@@ -1,2 +1,2 @@', ' a', '-b', '+c', '+d', ''].join('\n'));
    expect(msg).toMatch(/an added line past the count|more hunk lines/);
  });

  it('reports a hunk whose lines were lost (a mailer dropped a line)', () => {
    const lines = MODIFY.split('\n');
    lines.splice(7, 1);
    expect(brokenMessage(lines.join('\n'))).toContain('kernel/bpf/core.c');
  });

  it('names an unreadable hunk header (a combined-diff "@@@" in a plain patch)', () => {
    const msg = brokenMessage(['diff --git a/b4/junk.py b/b4/junk.py', '--- a/b4/junk.py', '+++ b/b4/junk.py', '@@@ -1,1 +1,1 @@@ def junk():', '-a', '+b', ''].join('\n'));
    expect(msg).toMatch(/unreadable hunk header "@@@ -1,1 \+1,1 @@@ def junk\(\):" in b4\/junk.py/);
  });
});
