/**
 * Line-level landmarks of a patch mail body, found the way git mailinfo finds them:
 * scissors, in-body headers, the `---` divider, the start of the diff, the signature.
 * All indexes are 0-based into the body's lines.
 */

/** git mailinfo's is_scissors_line: "-- >8 --" and friends, with a little cruft allowed. */
export function isScissorsLine(line: string): boolean {
  // No scissors mark at all: not a scissors line (the common case, decided without the scan).
  if (!line.includes('8') && !line.includes('%')) return false;
  let scissors = 0;
  let gap = 0;
  let perforation = 0;
  let inPerforation = false;
  let first = -1;
  let last = -1;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (/\s/.test(c)) {
      if (inPerforation) {
        perforation++;
        gap++;
      }
      continue;
    }
    last = i;
    if (first < 0) first = i;
    if (c === '-') {
      inPerforation = true;
      perforation++;
      continue;
    }
    const two = line.slice(i, i + 2);
    if (two === '>8' || two === '8<' || two === '>%' || two === '%<') {
      inPerforation = true;
      perforation += 2;
      scissors += 2;
      i++;
      continue;
    }
    inPerforation = false;
  }
  if (first < 0) return false;
  const visible = last - first + 1;
  return scissors > 0 && visible >= 8 && visible < perforation * 3 && gap * 2 < perforation;
}

/** Index of the first line that starts a diff (`diff --git`, or a `---`/`+++`/`@@` unified header), or -1. */
export function findDiffStart(lines: string[], from: number, to = lines.length): number {
  for (let i = from; i < to; i++) {
    const l = lines[i] as string;
    if (l.startsWith('diff --git ')) return i;
    if (l.startsWith('--- ') && (lines[i + 1] ?? '').startsWith('+++ ') && (lines[i + 2] ?? '').startsWith('@@ -')) return i;
  }
  return -1;
}

/**
 * The signature line ("-- ", or "--" when a mailer stripped the blank, near the end) at or after
 * `from`, or -1. Hunk bodies are stepped over by their counts, so a removed line "- " (which reads
 * "-- ") is not taken for the signature.
 */
export function findSignature(lines: string[], from: number): number {
  for (let i = from; i < lines.length; i++) {
    const l = lines[i] as string;
    if (l === '-- ') return i;
    const h = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/.exec(l);
    if (!h) continue;
    let oldLeft = h[1] === undefined ? 1 : Number(h[1]);
    let newLeft = h[2] === undefined ? 1 : Number(h[2]);
    while ((oldLeft > 0 || newLeft > 0) && i + 1 < lines.length) {
      const c = (lines[i + 1] as string)[0];
      if (c === '-') oldLeft--;
      else if (c === '+') newLeft--;
      else if (c === ' ' || c === undefined) {
        oldLeft--;
        newLeft--;
      } else if (c !== '\\') break;
      i++;
    }
  }
  for (let i = lines.length - 1; i >= from && i >= lines.length - 12; i--) if (lines[i] === '--') return i;
  return -1;
}

export interface InBodyHeaders {
  from: string | null;
  subject: string | null;
  date: string | null;
  /** Index of the first line after the headers (and the blank line that ends them). */
  next: number;
}

/** Leading `From:` / `Subject:` / `Date:` lines of the body (git mailinfo's in-body headers). */
export function readInBodyHeaders(lines: string[], from: number): InBodyHeaders {
  let i = from;
  while (i < lines.length && (lines[i] as string).trim() === '') i++;
  const out: InBodyHeaders = { from: null, subject: null, date: null, next: from };
  let found = false;
  let lastKey: 'from' | 'subject' | 'date' | null = null;
  while (i < lines.length) {
    const l = lines[i] as string;
    const m = /^(From|Subject|Date):\s*(.*)$/i.exec(l);
    // mailinfo takes a leading "[PATCH] title" line for an in-body Subject.
    if (/^\[PATCH\]\s/.test(l)) {
      out.subject = l.trim();
      lastKey = 'subject';
      found = true;
      i++;
      continue;
    }
    if (m) {
      lastKey = (m[1] as string).toLowerCase() as 'from' | 'subject' | 'date';
      out[lastKey] = (m[2] as string).trim();
      found = true;
      i++;
      continue;
    }
    if (found && lastKey && /^[ \t]+\S/.test(l)) {
      out[lastKey] = `${out[lastKey] ?? ''} ${l.trim()}`;
      i++;
      continue;
    }
    break;
  }
  if (!found) return out;
  if (i < lines.length && (lines[i] as string).trim() === '') i++;
  out.next = i;
  return out;
}

const META_RE = /^(base-commit|prerequisite-patch-id|change-id):\s*(\S+)\s*$/;

export interface PatchMeta {
  baseCommit: string | null;
  prerequisitePatchIds: string[];
  changeId: string | null;
}

/** Read `base-commit:` / `prerequisite-patch-id:` / `change-id:` lines; returns whether the line was one. */
export function readMetaLine(line: string, meta: PatchMeta): boolean {
  const m = META_RE.exec(line);
  if (!m) return false;
  const v = m[2] as string;
  if (m[1] === 'base-commit') meta.baseCommit ??= v;
  else if (m[1] === 'change-id') meta.changeId ??= v;
  else if (!meta.prerequisitePatchIds.includes(v)) meta.prerequisitePatchIds.push(v);
  return true;
}
