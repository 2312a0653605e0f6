import { filePath, type DiffLineKind, type FileDiff } from '../../model/diff.js';
import type { Message } from '../../model/message.js';
import type { ReviewComment } from '../../model/series.js';
import { hasPrefixes, splitGitHeader, stripPair } from './diff-paths.js';
import { cleanComment } from './clean-comment.js';
import { parseTrailerLine } from '../mail/parse-trailers.js';
import { parseDiff } from './parse-diff-text.js';
import { quoteLines, type QuotedLine } from './quote-lines.js';

/** One line of the patch, flattened over files and hunks. */
interface PatchLine {
  file: number;
  hunk: number;
  kind: DiffLineKind;
  text: string;
  norm: string;
  line: number;
  side: 'new' | 'old';
}

interface Cursor {
  file: number | null;
  /** Index into the flattened lines of the last matched line (or just before a quoted header's hunk). */
  pos: number;
  /** Index of the hunk the cursor is in, as [file, hunk], when a quoted header told us. */
  hunk: [number, number] | null;
}

const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();
const HUNK_RE = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

function flatten(files: FileDiff[]): PatchLine[] {
  const out: PatchLine[] = [];
  files.forEach((f, fi) =>
    f.hunks.forEach((h, hi) => {
      for (const l of h.lines) {
        const del = l.kind === 'del';
        out.push({
          file: fi, hunk: hi, kind: l.kind, text: l.text, norm: norm(l.text),
          line: (del ? l.oldLine : l.newLine) as number, side: del ? 'old' : 'new',
        });
      }
    }),
  );
  return out;
}

function kindOf(content: string): { kind: DiffLineKind; text: string } | null {
  const c = content[0];
  if (c === '+') return { kind: 'add', text: content.slice(1) };
  if (c === '-') return { kind: 'del', text: content.slice(1) };
  if (c === ' ') return { kind: 'ctx', text: content.slice(1) };
  return null;
}

/** Find the patch line a quoted diff line reproduces, preferring the line right after the cursor. */
function matchLine(flat: PatchLine[], cur: Cursor, kind: DiffLineKind, text: string): number {
  const n = norm(text);
  const same = (p: PatchLine, exact: boolean): boolean => p.kind === kind && (exact ? p.text === text : p.norm === n);
  const next = cur.pos + 1;
  const at = flat[next];
  if (at && (same(at, true) || same(at, false))) return next;
  // Forward in the current hunk for anything, further on only for lines that say something.
  const inHunk = (p: PatchLine): boolean => cur.hunk !== null && p.file === cur.hunk[0] && p.hunk === cur.hunk[1];
  const telling = n.length >= 4;
  for (const exact of [true, false]) {
    for (let i = Math.max(next, 0); i < flat.length; i++) {
      const p = flat[i] as PatchLine;
      if (!telling && !inHunk(p)) continue;
      if (cur.file !== null && p.file !== cur.file && !telling) continue;
      if (same(p, exact)) return i;
    }
  }
  if (!telling) return -1;
  for (const exact of [true, false]) {
    for (let i = 0; i < Math.min(next, flat.length); i++) if (same(flat[i] as PatchLine, exact)) return i;
  }
  return -1;
}

function fileIndexByName(files: FileDiff[], name: string): number {
  return files.findIndex((f) => f.newPath === name || f.oldPath === name);
}

/** Handle a quoted header line (diff --git, ---/+++, @@); returns whether it was one. */
function readHeader(content: string, files: FileDiff[], flat: PatchLine[], cur: Cursor): boolean {
  if (content.startsWith('diff --git ')) {
    const names = splitGitHeader(content.slice(11));
    if (names) {
      const [a, b] = hasPrefixes(names[0], names[1]) ? stripPair(names[0], names[1]) : names;
      const fi = fileIndexByName(files, b) >= 0 ? fileIndexByName(files, b) : fileIndexByName(files, a);
      cur.file = fi >= 0 ? fi : null;
      cur.hunk = null;
      if (fi >= 0) cur.pos = flat.findIndex((p) => p.file === fi) - 1;
    }
    return true;
  }
  const hdr = /^(?:---|\+\+\+) (?:[a-z0-9]\/)?(.+)$/.exec(content);
  if (hdr) {
    const name = (hdr[1] as string).replace(/\t.*$/, '');
    const fi = fileIndexByName(files, name);
    if (fi >= 0 || name === '/dev/null') {
      if (fi >= 0 && cur.file !== fi) {
        cur.file = fi;
        cur.hunk = null;
        cur.pos = flat.findIndex((p) => p.file === fi) - 1;
      }
      return true;
    }
    return false;
  }
  const h = HUNK_RE.exec(content);
  if (h) {
    const oldStart = Number(h[1]);
    const newStart = Number(h[2]);
    const fits = (fi: number): number => (files[fi] as FileDiff).hunks.findIndex((x) => x.oldStart === oldStart && x.newStart === newStart);
    let fi = cur.file;
    let hi = fi === null ? -1 : fits(fi);
    if (hi < 0) {
      fi = files.findIndex((_, k) => fits(k) >= 0);
      hi = fi >= 0 ? fits(fi) : -1;
    }
    if (fi !== null && fi >= 0 && hi >= 0) {
      cur.file = fi;
      cur.hunk = [fi, hi];
      cur.pos = flat.findIndex((p) => p.file === fi && p.hunk === hi) - 1;
    }
    return true;
  }
  return /^(index [0-9a-f]+\.\.[0-9a-f]+|new file mode |deleted file mode |old mode |new mode |similarity index |rename (from|to) )/.test(content);
}

/** The quote depth at which the reply reproduces the patch: the depth with the most lines found in it. */
function patchDepth(lines: QuotedLine[], flat: PatchLine[]): number {
  const known = new Set(flat.filter((p) => p.norm.length >= 4).map((p) => `${p.kind}\u0000${p.norm}`));
  const score = new Map<number, number>();
  for (const l of lines) {
    if (l.depth === 0) continue;
    const k = kindOf(l.content);
    const hit = (k && known.has(`${k.kind}\u0000${norm(k.text)}`)) || /^(diff --git |@@ -\d)/.test(l.content);
    if (hit) score.set(l.depth, (score.get(l.depth) ?? 0) + 1);
  }
  let best = 0;
  let bestScore = 0;
  for (const [d, s] of [...score].sort((x, y) => x[0] - y[0])) {
    if (s > bestScore) {
      best = d;
      bestScore = s;
    }
  }
  return best;
}

/**
 * Read a review reply: each run of quoted patch lines followed by the reviewer's own (unquoted)
 * text becomes a ReviewComment placed at the file and line of the last quoted diff line of the
 * run. Quotes of other replies (deeper or shallower than the patch's quote depth) are not placed;
 * signature, greeting, attribution lines and sign-off are dropped. Comments that cannot be placed
 * keep file/line null.
 */
export function parseReviewReply(
  reply: Message,
  patch: { messageId: string; files: FileDiff[]; diffText?: string },
): ReviewComment[] {
  let lines = quoteLines(reply.body);
  const sig = lines.findIndex((l) => l.depth === 0 && l.content === '-- ');
  if (sig >= 0) lines = lines.slice(0, sig);
  // Callers that kept only the diff text get it parsed here; a broken diff places nothing.
  let files = patch.files;
  if (files.length === 0 && patch.diffText) {
    const parsed = parseDiff(patch.diffText);
    files = parsed.ok ? parsed.value : [];
  }
  const flat = flatten(files);
  const depth = patchDepth(lines, flat);
  if (depth === 0) return [];

  const signer = reply.from ? [...reply.from.name.split(/[\s,]+/), reply.from.address.split('@')[0] ?? ''] : [];
  const comments: ReviewComment[] = [];
  const cur: Cursor = { file: null, pos: -1, hunk: null };
  let i = 0;
  while (i < lines.length) {
    if ((lines[i] as QuotedLine).depth === 0) {
      i++;
      continue;
    }
    // A quoted run, then the reviewer's text under it.
    // Blank lines between two quoted blocks do not end the run: the reviewer said nothing there.
    let runEnd = i;
    for (;;) {
      while (runEnd < lines.length && (lines[runEnd] as QuotedLine).depth > 0) runEnd++;
      let k = runEnd;
      while (k < lines.length && (lines[k] as QuotedLine).depth === 0 && (lines[k] as QuotedLine).content.trim() === '') k++;
      if (k > runEnd && k < lines.length && (lines[k] as QuotedLine).depth > 0) runEnd = k;
      else break;
    }
    let textEnd = runEnd;
    while (textEnd < lines.length && (lines[textEnd] as QuotedLine).depth === 0) textEnd++;

    let last: number | null = null;
    let lastFile: number | null = null;
    let sawDiff = false;
    let firstDiffLine = -1;
    for (let k = i; k < runEnd; k++) {
      const q = lines[k] as QuotedLine;
      if (q.depth !== depth) continue;
      if (readHeader(q.content, files, flat, cur)) {
        sawDiff = true;
        if (firstDiffLine < 0) firstDiffLine = k;
        lastFile = cur.file;
        continue;
      }
      const kd = kindOf(q.content);
      if (!kd) continue;
      const m = matchLine(flat, cur, kd.kind, kd.text);
      if (m < 0) continue;
      const p = flat[m] as PatchLine;
      cur.pos = m;
      cur.file = p.file;
      cur.hunk = [p.file, p.hunk];
      last = m;
      lastFile = p.file;
      sawDiff = true;
      if (firstDiffLine < 0) firstDiffLine = k;
    }
    // The reviewer's last words (sign-off and all), even when more quoted patch follows unanswered.
    const isLastBlock = !lines.slice(textEnd).some((l) => l.depth === 0 && l.content.trim() !== '');
    const text = cleanComment(lines.slice(runEnd, textEnd).map((l) => l.content), isLastBlock, signer);
    // A bare "Acked-by:" under the quoted patch is a tag, not a comment on its last line.
    const onlyTags = text.split('\n').every((l) => l.trim() === '' || parseTrailerLine(l.trim()) !== null);
    if (sawDiff && text !== '' && !onlyTags) {
      const placed = last === null ? null : (flat[last] as PatchLine);
      const fileIdx = placed ? placed.file : lastFile;
      comments.push({
        messageId: reply.messageId,
        reviewer: reply.from,
        inReplyTo: patch.messageId,
        file: fileIdx === null ? null : filePath(files[fileIdx] as FileDiff),
        line: placed ? placed.line : null,
        side: placed ? placed.side : null,
        quoted: lines.slice(firstDiffLine, runEnd).filter((l) => l.depth === depth).map((l) => l.content),
        comment: text,
      });
    }
    i = textEnd;
  }
  return comments;
}
