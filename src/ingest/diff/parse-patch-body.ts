import type { FileDiff } from '../../model/diff.js';
import { BrokenDiffError, fail, ok, type Result } from '../../model/errors.js';
import type { PatchBody } from '../../model/patch.js';
import { parsePerson, splitTrailerBlock } from '../mail/parse-trailers.js';
import {
  findDiffStart, findSignature, isScissorsLine, readInBodyHeaders, readMetaLine, type PatchMeta,
} from './cut-patch-body.js';
import { parseDiffLines } from './parse-diff-text.js';
import { diffstatPathMatches, parseDiffstat } from './parse-diffstat.js';

export interface ParsePatchBodyOptions {
  /**
   * true: the summary compact ingest keeps: trailers, files with their counts but no hunks,
   * base-commit, prerequisites, change-id, in-body From/Subject, diffBodyLine; commitMessage,
   * notes, diffText are '' and diffstat [], signature null. The diff is checked the same way.
   */
  summary?: boolean;
}

const DIVIDER_RE = /^---\s*$/;
const TRAILING_META_RE = /^(base-commit|prerequisite-patch-id|change-id):/;

/**
 * Cut a patch mail body into commit message, trailers, notes, diffstat, diff and signature.
 * A body without a diff (a cover letter, a pure commit message) is not an error: files = [].
 * A diff whose counts are wrong, or a body that carries a patch twice, is a BrokenDiffError.
 * `diffBodyLine` is 0 when there is no diff.
 */
export function parsePatchBody(body: string, opts: ParsePatchBodyOptions = {}): Result<PatchBody, BrokenDiffError> {
  const summary = opts.summary === true;
  const lines = (body.includes('\r') ? body.replace(/\r\n/g, '\n') : body).split('\n');
  const meta: PatchMeta = { baseCommit: null, prerequisitePatchIds: [], changeId: null };

  let start = 0;
  const firstDiff = findDiffStart(lines, 0);
  const scissorsEnd = firstDiff < 0 ? lines.length : firstDiff;
  for (let i = 0; i < scissorsEnd; i++) {
    if (isScissorsLine(lines[i] as string)) {
      start = i + 1;
      break;
    }
  }
  const inBody = readInBodyHeaders(lines, start);
  start = inBody.next;

  const diffStart = findDiffStart(lines, start);
  const sig = findSignature(lines, diffStart < 0 ? start : diffStart);
  const end = sig < 0 ? lines.length : sig;

  // The `---` divider: the first "---" line (only blanks after it) before the diff.
  const msgLimit = diffStart < 0 ? end : diffStart;
  let sep = -1;
  for (let i = start; i < msgLimit; i++) {
    if (DIVIDER_RE.test(lines[i] as string)) {
      sep = i;
      break;
    }
  }
  const msgEnd = sep >= 0 ? sep : msgLimit;

  // Notes: between the divider and the diff, without the diffstat and meta lines.
  // (Diffstat lines start with a blank, meta lines never do: a summary reads meta lines only.)
  const notesLines = sep >= 0 ? lines.slice(sep + 1, msgLimit) : [];
  const stat = summary ? null : parseDiffstat(notesLines);
  const noteText: string[] = [];
  notesLines.forEach((l, k) => {
    if (stat && k >= stat.start && k < stat.end) return;
    if (readMetaLine(l, meta)) return;
    if (!summary) noteText.push(l);
  });

  // The diff: from its first line to the signature, minus trailing meta lines (format-patch --base).
  let diffEnd = end;
  if (diffStart >= 0) {
    // Blank lines may be blank context lines of the last hunk: only cut at meta lines.
    for (let k = end - 1; k > diffStart; k--) {
      const l = lines[k] as string;
      if (TRAILING_META_RE.test(l)) diffEnd = k;
      else if (l.trim() !== '') break;
    }
    for (let i = diffEnd; i < end; i++) readMetaLine(lines[i] as string, meta);
  }
  const msgLines = lines.slice(start, msgEnd);
  if (diffStart < 0) {
    // A cover letter keeps base-commit/change-id in its text: read them, leave the text alone.
    for (const l of msgLines) readMetaLine(l, meta);
  }
  const { message, trailers } = splitTrailerBlock(msgLines.join('\n'));

  let files: FileDiff[] = [];
  let diffText = '';
  if (diffStart >= 0) {
    if (!summary) diffText = `${lines.slice(diffStart, diffEnd).join('\n')}\n`;
    const parsed = parseDiffLines(lines, diffStart, diffEnd, diffStart + 1, { keepHunks: !summary });
    if (!parsed.ok) return parsed;
    files = parsed.value;
    const twice = repeatedFile(lines, diffStart, diffEnd);
    if (twice) return fail(new BrokenDiffError(`the diff of ${twice.path} appears twice in the body (body lines ${twice.first + 1} and ${twice.second + 1}): a patch quoted or resent inside the mail?`));
    if (sig >= 0) {
      const again = findDiffStart(lines, sig + 1);
      if (again >= 0) return fail(new BrokenDiffError(`a second diff follows the signature at body line ${again + 1}: more than one patch in one mail`));
    }
    if (files.length === 0) return fail(new BrokenDiffError(`the diff at body line ${diffStart + 1} holds no file`));
  }

  const out: PatchBody = {
    commitMessage: summary ? '' : message,
    trailers,
    notes: summary ? '' : noteText.join('\n').trim(),
    diffstat: stat?.entries ?? [],
    diffText,
    diffBodyLine: diffStart >= 0 ? diffStart + 1 : 0,
    files,
    signature: sig >= 0 && !summary ? lines.slice(sig + 1).join('\n').trim() : null,
    baseCommit: meta.baseCommit,
    prerequisitePatchIds: meta.prerequisitePatchIds,
    changeId: meta.changeId,
  };
  if (inBody.from) {
    const who = parsePerson(inBody.from);
    if (who) out.inBodyFrom = who;
  }
  if (inBody.subject) out.inBodySubject = inBody.subject;
  return ok(out);
}

function repeatedFile(lines: string[], from: number, to: number): { path: string; first: number; second: number } | null {
  const seen = new Map<string, number>();
  for (let i = from; i < to; i++) {
    const l = lines[i] as string;
    if (!l.startsWith('diff --git ')) continue;
    const prev = seen.get(l);
    if (prev !== undefined) return { path: l.slice('diff --git '.length), first: prev, second: i };
    seen.set(l, i);
  }
  return null;
}

/**
 * Whether the files of a parsed patch agree with its diffstat: every entry names a file, the file
 * counts match, and each entry's change count equals the file's added + deleted lines.
 */
export function diffstatAgrees(body: PatchBody): { ok: boolean; unmatched: string[]; wrongCounts: string[] } {
  const unmatched: string[] = [];
  const wrongCounts: string[] = [];
  for (const e of body.diffstat) {
    const f = body.files.find((x) => diffstatPathMatches(e.path, x.oldPath, x.newPath));
    if (!f) {
      unmatched.push(e.path);
      continue;
    }
    const n = /^(\d+)/.exec(e.changes);
    if (n && !f.binary && Number(n[1]) !== f.added + f.deleted) wrongCounts.push(`${e.path}: ${e.changes} vs +${f.added}/-${f.deleted}`);
  }
  const ok = unmatched.length === 0 && wrongCounts.length === 0 && body.diffstat.length === body.files.length;
  return { ok, unmatched, wrongCounts };
}
