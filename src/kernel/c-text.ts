/**
 * Small text helpers for C source: comment/string masking that keeps byte offsets and
 * line numbers, and offset -> line lookup. Pure.
 */

/**
 * The same text with comments replaced by spaces (newlines kept) and, when `strings` is
 * true, the contents of string and char literals too. Offsets and line numbers are unchanged.
 */
export function maskComments(text: string, strings = false): string {
  const out = text.split('');
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text[i];
    const d = text[i + 1];
    if (c === '/' && d === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      for (let j = i; j < stop; j++) if (out[j] !== '\n') out[j] = ' ';
      i = stop;
    } else if (c === '/' && d === '/') {
      let j = i;
      while (j < n && text[j] !== '\n') {
        out[j] = ' ';
        j++;
      }
      i = j;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && text[j] !== c && text[j] !== '\n') {
        if (text[j] === '\\') j++;
        j++;
      }
      if (strings) for (let k = i + 1; k < j && k < n; k++) if (out[k] !== '\n') out[k] = ' ';
      i = j + 1;
    } else {
      i++;
    }
  }
  return out.join('');
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
