import type { DiffLine, FileDiff, Hunk } from '../../model/diff.js';
import { BrokenDiffError, fail, ok, type Result } from '../../model/errors.js';
import { hasPrefixes, headerPath, splitGitHeader, stripP1, stripPair } from './diff-paths.js';

/*
 * A hand-written unified/git diff parser. parse-diff 0.12 is not used for the hunks because it
 * takes any line inside a hunk as context (so a wrong count is never noticed and text after the
 * diff is swallowed), drops `\ No newline` into a duplicate change, knows nothing of renames,
 * copies, binary patches or C-quoted names, and gives no source line positions (which replies
 * need). The tests cross-check our hunks against parse-diff on the real corpus where it is right.
 */

const HUNK_RE = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/;
const BASE85_RE = /^[A-Za-z][0-9A-Za-z!#$%&()*+;<=>?@^_`{|}~-]*$/;

interface Draft {
  file: FileDiff;
  /** Names from `diff --git`, raw. */
  gitNames: [string, string] | null;
  prefixed: boolean;
  git: boolean;
  headerLine: number;
}

function newFile(): FileDiff {
  return {
    oldPath: null, newPath: null, status: 'modified', oldMode: null, newMode: null, binary: false,
    oldBlob: null, newBlob: null, similarity: null, hunks: [], added: 0, deleted: 0,
  };
}

function broken(msg: string): Result<never, BrokenDiffError> {
  return fail(new BrokenDiffError(msg));
}

/**
 * Parse a diff cut out of a mail body. `firstBodyLine` is the 1-based body line of the first line
 * of `diffText`, so every DiffLine can carry its own body line. Text that is not part of a file
 * diff (between files or after the last one) is ignored; hunk line counts are checked against
 * their headers and a mismatch is a BrokenDiffError naming the file and the hunk.
 */
export function parseDiff(diffText: string, firstBodyLine = 1): Result<FileDiff[], BrokenDiffError> {
  const lines = diffText.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (diffText.endsWith('\n')) lines.pop();
  const files: FileDiff[] = [];
  let cur: Draft | null = null;
  let i = 0;

  const finish = (): Result<null, BrokenDiffError> => {
    if (!cur) return ok(null);
    const d = cur;
    cur = null;
    const f = d.file;
    if (d.gitNames) {
      const [a, b] = d.prefixed ? stripPair(d.gitNames[0], d.gitNames[1]) : d.gitNames;
      if (f.status === 'added') f.newPath ??= b;
      else if (f.status === 'deleted') f.oldPath ??= a;
      else {
        f.oldPath ??= a;
        f.newPath ??= b;
      }
    }
    if (f.status === 'added') f.oldPath = null;
    if (f.status === 'deleted') f.newPath = null;
    if (f.oldPath === null && f.newPath === null) {
      return broken(`diff header at body line ${d.headerLine} names no file`);
    }
    if (f.status === 'modified' && f.oldPath !== null && f.newPath !== null && f.oldPath !== f.newPath && !d.git) {
      // Non-git diffs often compare "file.orig" with "file": the new name is the file.
      f.oldPath = f.newPath;
    }
    files.push(f);
    return ok(null);
  };

  const setOld = (d: Draft, raw: string): void => {
    const p = headerPath(raw);
    if (p === '/dev/null') {
      d.file.status = 'added';
      return;
    }
    d.file.oldPath = d.git ? (d.prefixed ? p.replace(/^[a-z0-9]\//, '') : p) : p;
  };
  const setNew = (d: Draft, raw: string): void => {
    const p = headerPath(raw);
    if (p === '/dev/null') {
      d.file.status = 'deleted';
      return;
    }
    d.file.newPath = d.git ? (d.prefixed ? p.replace(/^[a-z0-9]\//, '') : p) : p;
  };

  while (i < lines.length) {
    const line = lines[i] as string;
    const bodyLine = firstBodyLine + i;

    if (line.startsWith('diff --git ')) {
      const r = finish();
      if (!r.ok) return r;
      const names = splitGitHeader(line.slice('diff --git '.length));
      if (!names) return broken(`unreadable file names in "${line}" at body line ${bodyLine}`);
      cur = { file: newFile(), gitNames: names, prefixed: hasPrefixes(names[0], names[1]), git: true, headerLine: bodyLine };
      i++;
      continue;
    }

    // A non-git unified diff starts at a "---" line directly followed by "+++".
    if (line.startsWith('--- ') && (lines[i + 1] ?? '').startsWith('+++ ') && (!cur || cur.file.hunks.length > 0 || !cur.git)) {
      const r = finish();
      if (!r.ok) return r;
      const d: Draft = { file: newFile(), gitNames: null, prefixed: false, git: false, headerLine: bodyLine };
      const oldRaw = headerPath(line.slice(4));
      const newRaw = headerPath((lines[i + 1] as string).slice(4));
      const oldNull = oldRaw === '/dev/null';
      const newNull = newRaw === '/dev/null';
      // patch -p1 when the first components differ (a/ b/, linux.orig/ linux/); equal ones
      // (CVS, svn: "dir/f.c.orig" vs "dir/f.c") are -p0. Against /dev/null only a/ b/ are prefixes.
      const head = (p: string): string | null => (p.includes('/') ? p.slice(0, p.indexOf('/')) : null);
      const p1 = oldNull || newNull
        ? /^[ab]$/.test(head(oldNull ? newRaw : oldRaw) ?? '')
        : head(oldRaw) !== null && head(newRaw) !== null && head(oldRaw) !== head(newRaw);
      if (oldNull) d.file.status = 'added';
      else d.file.oldPath = p1 ? stripP1(oldRaw) : oldRaw;
      if (newNull) d.file.status = 'deleted';
      else d.file.newPath = p1 ? stripP1(newRaw) : newRaw;
      cur = d;
      i += 2;
      continue;
    }

    if (!cur) {
      i++;
      continue;
    }
    const d: Draft = cur;
    const f = d.file;
    let m: RegExpExecArray | null;

    if ((m = HUNK_RE.exec(line))) {
      const r = readHunk(lines, i, firstBodyLine, m, d);
      if (!r.ok) return r;
      f.hunks.push(r.value.hunk);
      i = r.value.next;
      continue;
    }
    if (line.startsWith('@@')) {
      return broken(`unreadable hunk header "${line.slice(0, 80)}" in ${fileName(d)} at body line ${bodyLine} (a combined diff, or a mangled header)`);
    }
    if (f.hunks.length > 0) {
      // After the hunks of a file only a new file, a new hunk or trailing text may follow.
      i++;
      continue;
    }
    if (d.git) {
      if (line.startsWith('--- ')) setOld(d, line.slice(4));
      else if (line.startsWith('+++ ')) setNew(d, line.slice(4));
      else if ((m = /^new file mode (\d+)$/.exec(line))) {
        f.status = 'added';
        f.newMode = m[1] as string;
      } else if ((m = /^deleted file mode (\d+)$/.exec(line))) {
        f.status = 'deleted';
        f.oldMode = m[1] as string;
      } else if ((m = /^old mode (\d+)$/.exec(line))) f.oldMode = m[1] as string;
      else if ((m = /^new mode (\d+)$/.exec(line))) f.newMode = m[1] as string;
      else if ((m = /^(?:dis)?similarity index (\d+)%$/.exec(line))) f.similarity = Number(m[1]);
      else if ((m = /^(rename|copy) (from|to) (.+)$/.exec(line)) || (m = /^(rename) (old|new) (.+)$/.exec(line))) {
        f.status = m[1] === 'copy' ? 'copied' : 'renamed';
        const p = headerPath(m[3] as string);
        if (m[2] === 'from' || m[2] === 'old') f.oldPath = p;
        else f.newPath = p;
      } else if ((m = /^index ([0-9a-f]+)\.\.([0-9a-f]+)(?: (\d+))?$/.exec(line))) {
        f.oldBlob = m[1] as string;
        f.newBlob = m[2] as string;
        if (m[3]) {
          f.oldMode ??= m[3];
          f.newMode ??= m[3];
        }
      } else if (/^Binary files .* differ$/.test(line)) f.binary = true;
      else if (line === 'GIT binary patch') {
        f.binary = true;
        i = skipBinaryPatch(lines, i + 1);
        continue;
      }
    }
    i++;
  }
  const r = finish();
  if (!r.ok) return r;
  return ok(files);
}

function skipBinaryPatch(lines: string[], from: number): number {
  let i = from;
  while (i < lines.length) {
    const l = lines[i] as string;
    if (/^(literal|delta) \d+$/.test(l) || l === '' || BASE85_RE.test(l)) {
      if (l.startsWith('diff --git ')) break;
      i++;
      continue;
    }
    break;
  }
  return i;
}

function fileName(d: Draft): string {
  const f = d.file;
  if (f.newPath ?? f.oldPath) return (f.newPath ?? f.oldPath) as string;
  if (d.gitNames) return stripPair(d.gitNames[0], d.gitNames[1])[1];
  return '?';
}

function readHunk(
  lines: string[],
  start: number,
  firstBodyLine: number,
  m: RegExpExecArray,
  d: Draft,
): Result<{ hunk: Hunk; next: number }, BrokenDiffError> {
  const header = lines[start] as string;
  const oldStart = Number(m[1]);
  const oldLines = m[2] === undefined ? 1 : Number(m[2]);
  const newStart = Number(m[3]);
  const newLines = m[4] === undefined ? 1 : Number(m[4]);
  const hunk: Hunk = {
    oldStart, oldLines, newStart, newLines,
    section: (m[5] as string).trim(), header, lines: [], bodyLine: firstBodyLine + start,
  };
  let oldLeft = oldLines;
  let newLeft = newLines;
  let oldNo = oldStart;
  let newNo = newStart;
  let i = start + 1;
  const file = d.file;
  const mismatch = (why: string): Result<never, BrokenDiffError> =>
    broken(
      `hunk "${header}" of ${fileName(d)} (body line ${hunk.bodyLine}): expected ${oldLines} old / ${newLines} new lines, ` +
        `found ${oldLines - oldLeft} / ${newLines - newLeft} ${why}`,
    );

  while (oldLeft > 0 || newLeft > 0) {
    if (i >= lines.length) return mismatch('before the end of the diff');
    const l = lines[i] as string;
    const bodyLine = firstBodyLine + i;
    const c = l[0];
    let dl: DiffLine;
    if (c === ' ' || l === '') {
      if (oldLeft === 0 || newLeft === 0) return mismatch(`at body line ${bodyLine} (a context line past the count)`);
      dl = { kind: 'ctx', text: l.slice(1), oldLine: oldNo++, newLine: newNo++, bodyLine };
      oldLeft--;
      newLeft--;
    } else if (c === '-') {
      if (oldLeft === 0) return mismatch(`at body line ${bodyLine} (a removed line past the count)`);
      dl = { kind: 'del', text: l.slice(1), oldLine: oldNo++, newLine: null, bodyLine };
      oldLeft--;
      file.deleted++;
    } else if (c === '+') {
      if (newLeft === 0) return mismatch(`at body line ${bodyLine} (an added line past the count)`);
      dl = { kind: 'add', text: l.slice(1), oldLine: null, newLine: newNo++, bodyLine };
      newLeft--;
      file.added++;
    } else if (c === '\\') {
      markNoNewline(hunk);
      i++;
      continue;
    } else {
      return mismatch(`when the hunk was cut short at body line ${bodyLine}: "${l.slice(0, 60)}"`);
    }
    hunk.lines.push(dl);
    i++;
  }
  if (i < lines.length && (lines[i] as string).startsWith('\\')) {
    markNoNewline(hunk);
    i++;
  }
  // A hunk line right after a complete hunk means the header announced too few lines.
  const after = lines[i];
  if (after !== undefined && /^[-+ ]/.test(after) && !/^(---|\+\+\+|--\s*$)/.test(after)) {
    return mismatch(`and then more hunk lines at body line ${firstBodyLine + i}: "${after.slice(0, 60)}"`);
  }
  return ok({ hunk, next: i });
}

function markNoNewline(hunk: Hunk): void {
  const last = hunk.lines[hunk.lines.length - 1];
  if (last) last.noNewlineAtEof = true;
}
