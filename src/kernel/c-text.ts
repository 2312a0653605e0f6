/**
 * Small text helpers for C source: comment/string masking that keeps byte offsets and
 * line numbers, and offset -> line lookup. Pure.
 */

/**
 * The same text with comments replaced by spaces (newlines kept) and, when `strings` is
 * true, the contents of string and char literals too. Offsets and line numbers are unchanged.
 */
export function maskComments(text: string, strings = false): string {
  const key = strings ? 1 : 0;
  const hit = maskCache[key];
  if (hit && hit.text === text) return hit.masked;
  const masked = maskUncached(text, strings);
  maskCache[key] = { text, masked };
  return masked;
}

/** The last result per mode: one file is masked by several extractors in a row. */
const maskCache: Array<{ text: string; masked: string } | undefined> = [undefined, undefined];

const blank = (s: string): string => s.replace(/[^\n]/g, ' ');

function maskUncached(text: string, strings: boolean): string {
  const parts: string[] = [];
  const n = text.length;
  let pos = 0; // text[pos..i) is copied as is
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 47 /* / */) {
      const d = text.charCodeAt(i + 1);
      if (d === 42 /* * */) {
        const end = text.indexOf('*/', i + 2);
        const stop = end < 0 ? n : end + 2;
        parts.push(text.slice(pos, i), blank(text.slice(i, stop)));
        pos = i = stop;
        continue;
      }
      if (d === 47) {
        let stop = text.indexOf('\n', i);
        if (stop < 0) stop = n;
        parts.push(text.slice(pos, i), ' '.repeat(stop - i));
        pos = i = stop;
        continue;
      }
      i++;
    } else if (c === 34 /* " */ || c === 39 /* ' */) {
      let j = i + 1;
      while (j < n) {
        const e = text.charCodeAt(j);
        if (e === c || e === 10) break;
        if (e === 92 /* \\ */) j++;
        j++;
      }
      if (strings && j > i + 1) {
        const stop = Math.min(j, n);
        parts.push(text.slice(pos, i + 1), blank(text.slice(i + 1, stop)));
        pos = stop;
      }
      i = j + 1;
    } else {
      // jump to the next interesting character
      let k = i + 1;
      while (k < n) {
        const e = text.charCodeAt(k);
        if (e === 47 || e === 34 || e === 39) break;
        k++;
      }
      i = k;
    }
  }
  parts.push(text.slice(pos));
  return parts.join('');
}

/** Offsets where each line starts (index 0 = line 1). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line of a byte offset, by binary search over lineStarts(). */
export function lineAt(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** Collapse runs of whitespace to one space and trim; `* ` spacing made kernel-like ("struct foo *"). */
export function normaliseSpace(s: string): string {
  return s
    .replace(/\s+/g, ' ')
    .replace(/\s*\*\s*/g, ' *')
    .replace(/\*\s+\*/g, '**')
    .replace(/\(\s+/g, '(')
    .replace(/\s+\)/g, ')')
    .replace(/\s+,/g, ',')
    .trim();
}

/** Split a macro argument list at top-level commas. */
export function splitArgs(s: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      args.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '' || args.length > 0) args.push(cur.trim());
  return args;
}

/**
 * Replace byte ranges with spaces (newlines kept), so tree-sitter sees a valid file with the
 * same offsets and line numbers.
 */
export function blankRanges(text: string, ranges: Array<[number, number]>): string {
  if (ranges.length === 0) return text;
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  let out = '';
  let pos = 0;
  for (const [s, e] of sorted) {
    if (e <= pos) continue;
    const from = Math.max(s, pos);
    out += text.slice(pos, from);
    out += text.slice(from, e).replace(/[^\n]/g, ' ');
    pos = e;
  }
  return out + text.slice(pos);
}
