import { unquoteC } from './diff-paths.js';
import type { DiffstatEntry } from '../../model/patch.js';

/** One `git diff --stat` line: " path | 12 +++--" or " path | Bin 0 -> 1234 bytes". */
const ENTRY_RE = /^ {1,2}(\S.*?)\s+\|\s+(\d+(?: [+-]*)?|Bin(?: \d+ -> \d+ bytes)?)\s*$/;
const SUMMARY_RE = /^ \d+ files? changed(?:, \d+ insertions?\(\+\))?(?:, \d+ deletions?\(-\))?\s*$/;
const EXTRA_RE = /^ (create|delete) mode \d+ |^ rename .* \(\d+%\)$|^ copy .* \(\d+%\)$|^ mode change \d+ => \d+ /;

export interface DiffstatBlock {
  entries: DiffstatEntry[];
  /** 0-based index of the first and one past the last line of the block. */
  start: number;
  end: number;
  /** Files changed according to the summary line, or null when there is none. */
  summaryFiles: number | null;
}

/** Whether a line belongs to a diffstat (entry, summary, or create/delete/rename/mode note). */
export function isDiffstatLine(line: string): boolean {
  return ENTRY_RE.test(line) || SUMMARY_RE.test(line) || EXTRA_RE.test(line);
}

/**
 * Find the diffstat in `lines` (the notes section of a patch): the last run of entry lines
 * ending at a summary line. Returns null when there is none.
 */
export function parseDiffstat(lines: string[]): DiffstatBlock | null {
  for (let s = lines.length - 1; s >= 0; s--) {
    const m = /^ (\d+) files? changed/.exec(lines[s] as string);
    if (!m || !SUMMARY_RE.test(lines[s] as string)) continue;
    let start = s;
    while (start > 0 && ENTRY_RE.test(lines[start - 1] as string)) start--;
    let end = s + 1;
    while (end < lines.length && EXTRA_RE.test(lines[end] as string)) end++;
    const entries: DiffstatEntry[] = [];
    for (let k = start; k < s; k++) {
      const e = ENTRY_RE.exec(lines[k] as string) as RegExpExecArray;
      entries.push({ path: e[1] as string, changes: (e[2] as string).trim() });
    }
    return { entries, start, end, summaryFiles: Number(m[1]) };
  }
  return null;
}

/**
 * Whether a diffstat path names a file path: git shortens long names to ".../tail" and writes
 * renames as "dir/{old => new}" or "old => new".
 */
export function diffstatPathMatches(statPath: string, oldPath: string | null, newPath: string | null): boolean {
  const candidates = [newPath, oldPath].filter((p): p is string => p !== null);
  if (statPath.startsWith('"')) {
    const q = unquoteC(statPath);
    if (q && q.end === statPath.length) statPath = q.value;
  }
  let forms = [statPath];
  const brace = /^(.*)\{(.*) => (.*)\}(.*)$/.exec(statPath);
  if (brace) {
    const [, pre, a, b, post] = brace as unknown as [string, string, string, string, string];
    forms = [`${pre}${b}${post}`.replace('//', '/'), `${pre}${a}${post}`.replace('//', '/')];
  } else if (statPath.includes(' => ')) {
    // "old => new", or a "{" lost to a "..." shortening: ".../{old => new}" became "...d => new}".
    forms = statPath.split(' => ').map((x) => x.replace(/[{}]/g, ''));
    if (statPath.startsWith('...')) forms = [`...${forms[1] ?? ''}`];
  } else if (statPath.startsWith('...')) {
    forms = [statPath.replace(/[{}]/g, '')];
  }
  return forms.some((form) =>
    candidates.some((c) => (form.startsWith('...') ? c.endsWith(form.slice(3)) : c === form)),
  );
}
