import type { Finding, Patch, FileDiff, Hunk } from '../../model/index.js';
import { filePath } from '../../model/index.js';

export const ELISION = '[ ... ]';

/** Where a finding sits in the patch: file, hunk and line index. */
export interface Placed {
  fileIdx: number;
  hunkIdx: number;
  lineIdx: number;
  finding: Finding;
}

/** Place a finding on the diff line it names (new-side line, an added line preferred). */
export function placeFinding(patch: Patch, f: Finding): Placed | null {
  if (f.file === null || f.line === null) return null;
  let fallback: Placed | null = null;
  for (let fi = 0; fi < patch.files.length; fi++) {
    const file = patch.files[fi]!;
    if (file.newPath !== f.file && filePath(file) !== f.file) continue;
    for (let hi = 0; hi < file.hunks.length; hi++) {
      const lines = file.hunks[hi]!.lines;
      for (let li = 0; li < lines.length; li++) {
        const l = lines[li]!;
        if (l.newLine !== f.line) continue;
        if (l.kind === 'add') return { fileIdx: fi, hunkIdx: hi, lineIdx: li, finding: f };
        fallback ??= { fileIdx: fi, hunkIdx: hi, lineIdx: li, finding: f };
      }
    }
  }
  return fallback;
}

const PREFIX = { add: '+', del: '-', ctx: ' ' } as const;

/** RFC 5322 caps a line at 998 octets; a longer code line is cut (and says so) rather than broken. */
const MAX_LINE_OCTETS = 990;

function quote(raw: string): string {
  let line = raw.replace(/\r/g, '');
  if (Buffer.byteLength(line, 'utf8') > MAX_LINE_OCTETS) {
    while (Buffer.byteLength(line, 'utf8') > MAX_LINE_OCTETS - 8) line = line.slice(0, -16);
    line += ' [...]';
  }
  return line === '' ? '>' : `> ${line}`;
}

/** The file's header lines (diff --git .. +++) exactly as the mail had them, else rebuilt. */
function fileHeader(patch: Patch, file: FileDiff): string[] {
  const first = file.hunks[0];
  const body = patch.diffText.split('\n').map((l) => l.replace(/\r$/, ''));
  if (first) {
    const at = first.bodyLine - patch.diffBodyLine;
    if (body[at] === first.header) {
      for (let i = at - 1; i >= 0 && at - i <= 12; i--) {
        if (body[i]!.startsWith('diff --git ')) return body.slice(i, at);
      }
    }
  }
  const a = file.oldPath ?? file.newPath;
  const b = file.newPath ?? file.oldPath;
  return [`diff --git a/${a} b/${b}`];
}

const DECL_LOOKBACK = 10;

/**
 * A reviewer quotes from the top of the function or declaration a line is in, when that is
 * close: the nearest line above that starts at column 0 with an identifier, extended upwards
 * over a multi-line signature ("static struct x *" / "name(args)").
 */
function declarationStart(lines: Hunk['lines'], lineIdx: number): number {
  const top = (i: number): boolean => /^[A-Za-z_]/.test(lines[i]!.text);
  for (let i = lineIdx - 1; i >= Math.max(0, lineIdx - DECL_LOOKBACK); i--) {
    if (!top(i)) continue;
    while (i > 0 && top(i - 1)) i--;
    return i;
  }
  return lineIdx;
}

/**
 * Render the quoted parts of a patch with the comments under the lines they are about.
 * Returns blocks (quote blocks and comment blocks); the caller joins them with blank lines.
 */
export function quoteWithComments(
  patch: Patch,
  placed: Placed[],
  comment: (findings: Finding[]) => string[],
  contextLines: number,
): string[][] {
  const sorted = [...placed].sort((x, y) => x.fileIdx - y.fileIdx || x.hunkIdx - y.hunkIdx || x.lineIdx - y.lineIdx);
  const blocks: string[][] = [];
  let cur: string[] = [];
  let at: { fileIdx: number; hunkIdx: number; lineIdx: number } | null = null;
  for (let i = 0; i < sorted.length; ) {
    const p = sorted[i]!;
    const group: Finding[] = [];
    while (i < sorted.length && sorted[i]!.fileIdx === p.fileIdx && sorted[i]!.hunkIdx === p.hunkIdx && sorted[i]!.lineIdx === p.lineIdx) {
      group.push(sorted[i]!.finding);
      i++;
    }
    const file = patch.files[p.fileIdx]!;
    const hunk = file.hunks[p.hunkIdx]!;
    let from: number;
    if (at && at.fileIdx === p.fileIdx && at.hunkIdx === p.hunkIdx) {
      from = Math.max(at.lineIdx + 1, p.lineIdx - contextLines);
      if (from - (at.lineIdx + 1) <= 2) from = at.lineIdx + 1;
      else blocks.push([ELISION]);
    } else {
      if (at) blocks.push([ELISION]);
      if (!at || at.fileIdx !== p.fileIdx) {
        cur.push(...fileHeader(patch, file).map(quote));
        if (p.hunkIdx > 0) cur.push(ELISION);
      }
      cur.push(quote(hunk.header));
      from = Math.min(Math.max(0, p.lineIdx - contextLines), declarationStart(hunk.lines, p.lineIdx));
      if (from <= 2) from = 0;
      else cur.push(ELISION);
    }
    for (let li = from; li <= p.lineIdx; li++) {
      const l = hunk.lines[li]!;
      cur.push(quote(PREFIX[l.kind] + l.text));
    }
    blocks.push(cur);
    blocks.push(comment(group));
    cur = [];
    at = { fileIdx: p.fileIdx, hunkIdx: p.hunkIdx, lineIdx: p.lineIdx };
  }
  if (at) blocks.push([ELISION]);
  return blocks;
}
