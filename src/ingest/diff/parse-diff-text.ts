import type { FileDiff, Hunk } from '../../model/diff.js';
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
const AFTER_HUNK_RE = /^[-+ ]/;
const NOT_HUNK_LINE_RE = /^(---|\+\+\+|--\s*$)/;
const BASE85_RE = /^[A-Za-z][0-9A-Za-z!#$%&()*+;<=>?@^_`{|}~-]*$/;

interface Draft {
  file: FileDiff;
  /** Names from `diff --git`, raw. */
  gitNames: [string, string] | null;
  prefixed: boolean;
  git: boolean;
  headerLine: number;
  /** Hunks read so far (also when they are not kept). */
  hunkCount: number;
}

export interface ParseDiffOptions {
  /**
   * false: read and check every hunk, count added/deleted lines, but keep no Hunk or DiffLine
   * (files come back with `hunks: []`): for compact ingest, which drops hunks anyway.
   */
  keepHunks?: boolean;
}

/** Line i without a trailing CR. */
function lineAt(lines: readonly string[], i: number): string {
  const l = lines[i] as string;
  return l.charCodeAt(l.length - 1) === 13 ? l.slice(0, -1) : l;
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
export function parseDiff(diffText: string, firstBodyLine = 1, opts: ParseDiffOptions = {}): Result<FileDiff[], BrokenDiffError> {
  const lines = diffText.split('\n');
  if (diffText.endsWith('\n')) lines.pop();
  return parseDiffLines(lines, 0, lines.length, firstBodyLine, opts);
}

/**
 * parseDiff over lines[from, to) of an already split text (a trailing CR of a line is ignored);
 * `firstBodyLine` is the 1-based body line of lines[from].
 */
export function parseDiffLines(
  lines: readonly string[],
  from: number,
  to: number,
  firstBodyLine: number,
  opts: ParseDiffOptions = {},
): Result<FileDiff[], BrokenDiffError> {
  const keepHunks = opts.keepHunks !== false;
  const files: FileDiff[] = [];
  let cur: Draft | null = null;
  let i = from;
  const bodyBase = firstBodyLine - from;

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

  while (i < to) {
    const line = lineAt(lines, i);
    const bodyLine = bodyBase + i;

    if (line.startsWith('diff --git ')) {
      const r = finish();
      if (!r.ok) return r;
      const names = splitGitHeader(line.slice('diff --git '.length));
      if (!names) return broken(`unreadable file names in "${line}" at body line ${bodyLine}`);
      cur = { file: newFile(), gitNames: names, prefixed: hasPrefixes(names[0], names[1]), git: true, headerLine: bodyLine, hunkCount: 0 };
      i++;
      continue;
    }

    // A non-git unified diff starts at a "---" line directly followed by "+++".
    if (line.startsWith('--- ') && i + 1 < to && (lines[i + 1] as string).startsWith('+++ ') && (!cur || cur.hunkCount > 0 || !cur.git)) {
      const r = finish();
      if (!r.ok) return r;
      const d: Draft = { file: newFile(), gitNames: null, prefixed: false, git: false, headerLine: bodyLine, hunkCount: 0 };
      const oldRaw = headerPath(line.slice(4));
      const newRaw = headerPath(lineAt(lines, i + 1).slice(4));
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
      const r = readHunk(lines, i, to, bodyBase, m, d, keepHunks);
      if (!r.ok) return r;
      d.hunkCount++;
      if (r.value.hunk) f.hunks.push(r.value.hunk);
      i = r.value.next;
      continue;
    }
    if (line.startsWith('@@')) {
      return broken(`unreadable hunk header "${line.slice(0, 80)}" in ${fileName(d)} at body line ${bodyLine} (a combined diff, or a mangled header)`);
    }
    if (d.hunkCount > 0) {
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
        i = skipBinaryPatch(lines, i + 1, to);
        continue;
      }
    }
    i++;
  }
  const r = finish();
  if (!r.ok) return r;
  return ok(files);
}

function skipBinaryPatch(lines: readonly string[], from: number, to: number): number {
  let i = from;
  while (i < to) {
    const l = lineAt(lines, i);
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

/** One hunk from its header line `start`; with keepHunks false its lines are checked and counted, not kept (hunk null). */
function readHunk(
  lines: readonly string[],
  start: number,
  to: number,
  bodyBase: number,
  m: RegExpExecArray,
  d: Draft,
  keepHunks: boolean,
): Result<{ hunk: Hunk | null; next: number }, BrokenDiffError> {
  const header = lineAt(lines, start);
  const oldStart = Number(m[1]);
  const oldLines = m[2] === undefined ? 1 : Number(m[2]);
  const newStart = Number(m[3]);
  const newLines = m[4] === undefined ? 1 : Number(m[4]);
  const hunk: Hunk = {
    oldStart, oldLines, newStart, newLines,
    section: (m[5] as string).trim(), header, lines: [], bodyLine: bodyBase + start,
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
    if (i >= to) return mismatch('before the end of the diff');
    const l = lineAt(lines, i);
    const c = l.charCodeAt(0);
    if (c === 0x20 || l === '') {
      if (oldLeft === 0 || newLeft === 0) return mismatch(`at body line ${bodyBase + i} (a context line past the count)`);
      if (keepHunks) hunk.lines.push({ kind: 'ctx', text: l.slice(1), oldLine: oldNo, newLine: newNo, bodyLine: bodyBase + i });
      oldNo++;
      newNo++;
      oldLeft--;
      newLeft--;
    } else if (c === 0x2d) {
      if (oldLeft === 0) return mismatch(`at body line ${bodyBase + i} (a removed line past the count)`);
      if (keepHunks) hunk.lines.push({ kind: 'del', text: l.slice(1), oldLine: oldNo, newLine: null, bodyLine: bodyBase + i });
      oldNo++;
      oldLeft--;
      file.deleted++;
    } else if (c === 0x2b) {
      if (newLeft === 0) return mismatch(`at body line ${bodyBase + i} (an added line past the count)`);
      if (keepHunks) hunk.lines.push({ kind: 'add', text: l.slice(1), oldLine: null, newLine: newNo, bodyLine: bodyBase + i });
      newNo++;
      newLeft--;
      file.added++;
    } else if (c === 0x5c) {
      markNoNewline(hunk);
    } else {
      return mismatch(`when the hunk was cut short at body line ${bodyBase + i}: "${l.slice(0, 60)}"`);
    }
    i++;
  }
  if (i < to && lineAt(lines, i).startsWith('\\')) {
    markNoNewline(hunk);
    i++;
  }
  // A hunk line right after a complete hunk means the header announced too few lines.
  const after = i < to ? lineAt(lines, i) : undefined;
  if (after !== undefined && AFTER_HUNK_RE.test(after) && !NOT_HUNK_LINE_RE.test(after)) {
    return mismatch(`and then more hunk lines at body line ${bodyBase + i}: "${after.slice(0, 60)}"`);
  }
  return ok({ hunk: keepHunks ? hunk : null, next: i });
}

function markNoNewline(hunk: Hunk): void {
  const last = hunk.lines[hunk.lines.length - 1];
  if (last) last.noNewlineAtEof = true;
}
