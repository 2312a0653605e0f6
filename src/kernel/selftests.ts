import type { ExpectedFailureRow, SelftestProgram } from '../model/kernel-facts.js';
import { Preprocessor, fileSetResolver, tokenize, type Tok } from '../model-bpf/preprocess.js';

/**
 * BPF selftest programs and expected-failure tables of a tree.
 *
 * progs/*.c: every SEC("...") function (after expanding the file's own macros, so the
 * CHECK()/TEST() families come out one program each), with its annotations in source order.
 * prog_tests/*.c: `{ "name", "message" }` rows of static tables, macro-expanded the way cpp would.
 */
export function extractSelftests(files: { path: string; text: string }[]): {
  programs: SelftestProgram[];
  expectedFailures: ExpectedFailureRow[];
} {
  const resolver = fileSetResolver(files);
  const programs: SelftestProgram[] = [];
  const expectedFailures: ExpectedFailureRow[] = [];
  for (const f of files) {
    if (!f.path.endsWith('.c')) continue;
    if (isProgsFile(f.path)) {
      const pre = new Preprocessor(resolver).run(f.path, f.text);
      programs.push(...scanPrograms(f.path, pre.text));
    } else if (isProgTestsFile(f.path)) {
      const pre = new Preprocessor(resolver).run(f.path, f.text);
      expectedFailures.push(...scanTables(f.path, pre.text));
    }
  }
  const byProgram = new Map<string, ExpectedFailureRow>();
  for (const r of expectedFailures) if (!byProgram.has(r.program)) byProgram.set(r.program, r);
  for (const p of programs) {
    const row = byProgram.get(p.name);
    if (row && p.expected === null) p.expected = { verdict: 'reject', messages: [row.message], source: 'table' };
  }
  return { programs, expectedFailures };
}

export function isProgsFile(path: string): boolean {
  return /(^|\/)progs\/[^/]+\.c$/.test(path);
}

export function isProgTestsFile(path: string): boolean {
  return /(^|\/)prog_tests\/[^/]+\.c$/.test(path);
}

/** Decode a C string literal body (without the quotes). */
export function unescapeC(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]+|[0-7]{1,3}|.)/g, (_m, e: string) => {
    switch (e[0]) {
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
        return String.fromCharCode(Number.parseInt(e, 8));
      case 'x': return String.fromCharCode(Number.parseInt(e.slice(1), 16));
      default: return e;
    }
  });
}

/** Concatenate adjacent string literal tokens (C translation phase 6); identifiers between them are kept as text. */
function joinStrings(ts: Tok[]): string {
  return ts
    .filter((t) => t.kind === 'str' || t.kind === 'id')
    .map((t) => (t.kind === 'str' ? unescapeC(t.text.slice(1, -1)) : t.text))
    .join('');
}

/** 1-based line of an offset (binary search over the line starts, computed once per text). */
function lineAt(text: string, offset: number): number {
  let starts = lastStarts?.text === text ? lastStarts.starts : undefined;
  if (!starts) {
    starts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
    lastStarts = { text, starts };
  }
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}
let lastStarts: { text: string; starts: number[] } | undefined;

type Positioned = Tok & { pos: number };

function positioned(text: string): Positioned[] {
  return tokenize(text) as Positioned[];
}

const ANNOTATION = /^__[a-z][a-z0-9_]*$/;
const NON_ANNOTATIONS = new Set(['__attribute__', '__always_inline', '__hidden', '__weak', '__noinline', '__ksym', '__kconfig']);

/** Read `__name` / `__name(args)` annotations at index i; returns the annotation and the next index, or null. */
function readAnnotation(ts: Positioned[], i: number): { ann: { name: string; arg: string | null }; next: number } | null {
  const t = ts[i];
  if (!t || t.kind !== 'id' || !ANNOTATION.test(t.text) || NON_ANNOTATIONS.has(t.text)) return null;
  let j = i + 1;
  while (ts[j] && (ts[j]!.kind === 'ws' || ts[j]!.kind === 'nl')) j++;
  if (ts[j]?.text !== '(') return { ann: { name: t.text, arg: null }, next: i + 1 };
  let depth = 0;
  let k = j;
  for (; k < ts.length; k++) {
    if (ts[k]!.text === '(') depth++;
    else if (ts[k]!.text === ')' && --depth === 0) break;
  }
  const inner = ts.slice(j + 1, k);
  const strs = inner.filter((x) => x.kind === 'str');
  const arg = strs.length
    ? joinStrings(inner)
    : inner
        .map((x) => x.text)
        .join('')
        .trim();
  return { ann: { name: t.text, arg }, next: k + 1 };
}

const skipBlank = (ts: Positioned[], i: number): number => {
  while (ts[i] && (ts[i]!.kind === 'ws' || ts[i]!.kind === 'nl')) i++;
  return i;
};

/** SEC() programs of one (preprocessed) progs file. */
export function scanPrograms(path: string, text: string): SelftestProgram[] {
  const ts = positioned(text);
  const out: SelftestProgram[] = [];
  let lastBoundary = 0; // index after the last top-level ';' or '}'
  let depth = 0;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    if (t.text === '{' || t.text === '(' || t.text === '[') depth++;
    else if (t.text === '}' || t.text === ')' || t.text === ']') {
      depth--;
      if (depth === 0 && t.text === '}') lastBoundary = i + 1;
      continue;
    } else if (t.text === ';' && depth === 0) {
      lastBoundary = i + 1;
      continue;
    }
    if (depth !== 0 || t.kind !== 'id' || t.text !== 'SEC') continue;
    const open = skipBlank(ts, i + 1);
    if (ts[open]?.text !== '(') continue;
    let k = open;
    let d = 0;
    for (; k < ts.length; k++) {
      if (ts[k]!.text === '(') d++;
      else if (ts[k]!.text === ')' && --d === 0) break;
    }
    const section = joinStrings(ts.slice(open + 1, k).filter((x) => x.kind === 'str'));
    // annotations before SEC (back to the previous top-level boundary)
    const annotations: { name: string; arg: string | null }[] = [];
    for (let b = skipBlank(ts, lastBoundary); b < i; ) {
      const a = readAnnotation(ts, b);
      if (!a) break;
      annotations.push(a.ann);
      b = skipBlank(ts, a.next);
    }
    // after SEC: annotations and the declaration up to '{' or ';'
    let j = skipBlank(ts, k + 1);
    const decl: Positioned[] = [];
    let pd = 0;
    for (; j < ts.length; j++) {
      const x = ts[j]!;
      if (pd === 0) {
        const a = readAnnotation(ts, j);
        if (a) {
          annotations.push(a.ann);
          j = a.next - 1;
          continue;
        }
      }
      if (x.text === '(') pd++;
      else if (x.text === ')') pd--;
      else if (pd === 0 && (x.text === '{' || x.text === ';' || x.text === '=')) break;
      decl.push(x);
    }
    if (ts[j]?.text !== '{') {
      i = k;
      continue;
    }
    const name = functionName(decl);
    i = k; // continue scanning (the body's braces are tracked by depth)
    if (!name) continue;
    out.push({
      file: path,
      line: lineAt(text, t.pos),
      name,
      section,
      annotations,
      expected: expectedFrom(annotations),
    });
  }
  return out;
}

/** `int foo(void *ctx)` → foo; `int BPF_PROG(foo, ...)` → foo. */
function functionName(decl: Positioned[]): string | null {
  const sig = decl.filter((x) => x.kind !== 'ws' && x.kind !== 'nl');
  const p = sig.findIndex((x) => x.text === '(');
  if (p < 1) return null;
  const name = sig[p - 1]!;
  if (name.kind !== 'id') return null;
  if (/^[A-Z][A-Z0-9_]*$/.test(name.text)) {
    const first = sig[p + 1];
    return first?.kind === 'id' ? first.text : null;
  }
  return name.text;
}

function expectedFrom(annotations: { name: string; arg: string | null }[]): SelftestProgram['expected'] {
  const names = new Set(annotations.map((a) => a.name));
  const messages = annotations.filter((a) => a.name === '__msg' && a.arg !== null).map((a) => a.arg!);
  if (names.has('__failure')) return { verdict: 'reject', messages, source: 'annotation' };
  if (names.has('__success')) return { verdict: 'accept', messages, source: 'annotation' };
  if (messages.length || names.has('__retval')) return { verdict: 'accept', messages, source: 'annotation' };
  return null;
}

/** `{ "name", "message" }` rows inside `NAME[] = { ... }` tables of one (preprocessed) prog_tests file. */
export function scanTables(path: string, text: string): ExpectedFailureRow[] {
  const ts = positioned(text);
  const rows: ExpectedFailureRow[] = [];
  for (let i = 0; i < ts.length; i++) {
    // NAME [ ] = {
    if (ts[i]!.kind !== 'id') continue;
    let j = skipBlank(ts, i + 1);
    if (ts[j]?.text !== '[') continue;
    j = skipBlank(ts, j + 1);
    if (ts[j]?.text === ']') j = skipBlank(ts, j + 1);
    else continue;
    if (ts[j]?.text !== '=') continue;
    j = skipBlank(ts, j + 1);
    if (ts[j]?.text !== '{') continue;
    const table = ts[i]!.text;
    let depth = 0;
    let k = j;
    let rowStart = -1;
    for (; k < ts.length; k++) {
      const x = ts[k]!;
      if (x.text === '{') {
        depth++;
        if (depth === 2) rowStart = k;
      } else if (x.text === '}') {
        if (depth === 2 && rowStart >= 0) {
          const row = parseRow(ts.slice(rowStart + 1, k));
          if (row) rows.push({ file: path, line: lineAt(text, ts[rowStart]!.pos), table, ...row });
        }
        if (--depth === 0) break;
      }
    }
    i = k;
  }
  return rows;
}

function parseRow(ts: Positioned[]): { program: string; message: string } | null {
  const parts: Positioned[][] = [[]];
  for (const t of ts) {
    if (t.text === ',') parts.push([]);
    else if (t.kind !== 'ws' && t.kind !== 'nl') parts[parts.length - 1]!.push(t);
  }
  const filled = parts.filter((p) => p.length);
  if (filled.length !== 2) return null;
  if (!filled.every((p) => p.every((t) => t.kind === 'str'))) return null;
  return { program: joinStrings(filled[0]!), message: joinStrings(filled[1]!) };
}
