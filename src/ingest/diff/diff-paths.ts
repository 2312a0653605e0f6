/**
 * Path handling for diff headers: git's C-style quoting, the a/ b/ prefixes
 * (and --no-prefix / mnemonic prefixes), timestamps of non-git diffs.
 */

const PREFIX_PAIRS = new Set(['a/b/', 'i/w/', 'c/w/', 'c/i/', 'i/o/', 'w/o/', 'o/w/', '1/2/']);

/** Decode one git C-quoted string starting at `s[start] === '"'`. Returns the text and the index after the closing quote. */
export function unquoteC(s: string, start = 0): { value: string; end: number } | null {
  if (s[start] !== '"') return null;
  const bytes: number[] = [];
  let i = start + 1;
  const pushText = (t: string): void => {
    for (const b of Buffer.from(t, 'utf8')) bytes.push(b);
  };
  while (i < s.length) {
    const c = s[i] as string;
    if (c === '"') return { value: Buffer.from(bytes).toString('utf8'), end: i + 1 };
    if (c !== '\\') {
      pushText(c);
      i++;
      continue;
    }
    const n = s[i + 1];
    if (n === undefined) return null;
    const simple: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };
    if (n in simple) {
      bytes.push(simple[n] as number);
      i += 2;
    } else if (/[0-7]/.test(n)) {
      const m = /^[0-7]{1,3}/.exec(s.slice(i + 1)) as RegExpExecArray;
      bytes.push(parseInt(m[0], 8) & 0xff);
      i += 1 + m[0].length;
    } else {
      pushText(n);
      i += 2;
    }
  }
  return null;
}

/** A header path: C-unquoted when quoted, without a trailing timestamp (non-git `--- file\tdate`). */
export function headerPath(raw: string): string {
  const t = raw.replace(/\s+$/, '');
  if (t.startsWith('"')) {
    const q = unquoteC(t);
    if (q) return q.value;
  }
  const tab = t.indexOf('\t');
  const noTab = tab >= 0 ? t.slice(0, tab) : t;
  // diff -u writes "file  2011-12-05 10:00:00.000000000 +0100" with spaces on some systems.
  return noTab.replace(/\s+\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?\s*([+-]\d{4})?$/, '');
}

/**
 * The two names of a `diff --git` line, raw (prefixes still on). For unquoted names with spaces
 * the split is ambiguous; git itself picks the split where both names are equal after the prefix,
 * and so do we; `---`/`+++`/`rename` lines refine the names later.
 */
export function splitGitHeader(rest: string): [string, string] | null {
  const r = rest.replace(/\s+$/, '');
  if (r.startsWith('"')) {
    const a = unquoteC(r);
    if (!a) return null;
    const tail = r.slice(a.end).replace(/^ /, '');
    if (tail.startsWith('"')) {
      const b = unquoteC(tail);
      return b ? [a.value, b.value] : null;
    }
    return [a.value, tail];
  }
  const lastQuote = r.endsWith('"') ? r.lastIndexOf(' "') : -1;
  if (lastQuote > 0) {
    const b = unquoteC(r, lastQuote + 1);
    if (b) return [r.slice(0, lastQuote), b.value];
  }
  // Names equal after a one-letter prefix: the classic, unambiguous-in-practice case.
  const spaces: number[] = [];
  for (let i = 0; i < r.length; i++) if (r[i] === ' ') spaces.push(i);
  for (const sp of spaces) {
    const a = r.slice(0, sp);
    const b = r.slice(sp + 1);
    if (stripPair(a, b)[0] === stripPair(a, b)[1] && a.length === b.length) return [a, b];
  }
  const bIdx = r.indexOf(' b/');
  if (bIdx > 0) return [r.slice(0, bIdx), r.slice(bIdx + 1)];
  if (spaces.length === 1) {
    const sp = spaces[0] as number;
    return [r.slice(0, sp), r.slice(sp + 1)];
  }
  return null;
}

/** Strip a pair of mnemonic prefixes (a/ b/, i/ w/, ...) only when both names carry a matching pair. */
export function stripPair(a: string, b: string): [string, string] {
  const pa = /^[a-z0-9]\//.exec(a)?.[0];
  const pb = /^[a-z0-9]\//.exec(b)?.[0];
  if (pa && pb && PREFIX_PAIRS.has(pa + pb)) return [a.slice(2), b.slice(2)];
  return [a, b];
}

/** Whether the names of a `diff --git` line carry prefixes (so `---`/`+++` names do too). */
export function hasPrefixes(a: string, b: string): boolean {
  const [sa] = stripPair(a, b);
  return sa !== a;
}

/** Strip the first path component the way `patch -p1` does, for non-git diffs. */
export function stripP1(p: string): string {
  const i = p.indexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}
