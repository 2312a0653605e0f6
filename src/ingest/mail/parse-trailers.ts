/**
 * Trailers (Signed-off-by:, Acked-by:, Fixes:, Link: ...) read the way git's
 * interpret-trailers finds the trailer block of a commit message, and the way
 * b4 picks up follow-up trailers from review replies.
 *
 * Pure functions, no IO.
 */
import type { Address } from '../../model/message.js';
import type { Trailer } from '../../model/trailer.js';

/** Trailer names whose value is not a person. */
const NON_PERSON = new Map<string, string>([
  ['fixes', 'Fixes'],
  ['link', 'Link'],
  ['closes', 'Closes'],
  ['buglink', 'BugLink'],
  ['bug', 'Bug'],
  ['change-id', 'Change-Id'],
  ['message-id', 'Message-ID'],
  ['base-commit', 'base-commit'],
]);

/** Person trailers that do not end in -by. */
const OTHER_PERSON = new Map<string, string>([['cc', 'Cc']]);

/** Canonical spellings of the common -by trailers (anything else ending in -by is capitalised git-style). */
const KNOWN_BY = [
  'Signed-off-by', 'Acked-by', 'Reviewed-by', 'Tested-by', 'Reported-by', 'Suggested-by',
  'Co-developed-by', 'Reported-and-tested-by', 'Requested-by', 'Debugged-by', 'Analyzed-by',
  'Originally-by', 'Helped-by', 'Co-authored-by', 'Bisected-by', 'Nacked-by',
];
const KNOWN_BY_MAP = new Map(KNOWN_BY.map((n) => [n.toLowerCase(), n]));

/** `Token: value` as git sees it (token: letters, digits, '-'; optional blanks before ':'). */
const GENERIC_RE = /^([A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)$/;
/** `Xxx-by`, `Xxx-and-yyy-by` ... */
const BY_RE = /^[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*-by$/i;

/** Canonical capitalisation for a trailer name; null when it is neither known nor an -by name. */
export function canonicalTrailerName(token: string): string | null {
  const lower = token.toLowerCase();
  const known = NON_PERSON.get(lower) ?? OTHER_PERSON.get(lower) ?? KNOWN_BY_MAP.get(lower);
  if (known) return known;
  if (BY_RE.test(token)) return lower.charAt(0).toUpperCase() + lower.slice(1);
  return null;
}

/** Is this (canonical) trailer name one whose value names a person? */
export function isPersonTrailerName(name: string): boolean {
  const lower = name.toLowerCase();
  if (NON_PERSON.has(lower)) return false;
  return OTHER_PERSON.has(lower) || BY_RE.test(name);
}

const EMAIL_RE = /[^\s<>()"',;[\]]+@[^\s<>()"',;[\]]+/;

/**
 * Reads a person from a trailer value: `Name <email>`, `"Name, Jr" <email>`,
 * `Name (corp) <email>`, `<email>`, a bare address, with an optional `# comment`
 * or `[...]` note after it. Returns null when there is no email address.
 */
export function parsePerson(value: string): Address | null {
  let v = value.trim();
  // Mail clients that turned addresses into links: "x@y<mailto:x@y>" (b4's htmljunk).
  v = v.replace(/<mailto:[^>]*>/gi, '');
  const angle = /<([^<>\s]+@[^<>\s]+)>/.exec(v);
  if (angle) {
    const address = angle[1] as string;
    let name = v.slice(0, angle.index).trim();
    if (name.length >= 2 && name.startsWith('"') && name.endsWith('"')) {
      name = name.slice(1, -1).replace(/\\(.)/g, '$1');
    }
    return { name, address };
  }
  // No angle brackets: strip a trailing comment ("stable@vger.kernel.org # 6.1+").
  const noComment = v.replace(/\s+#.*$/, '').trim();
  const m = EMAIL_RE.exec(noComment);
  if (!m) return null;
  const address = m[0];
  let name = (noComment.slice(0, m.index) + noComment.slice(m.index + address.length)).trim();
  // "Name (address)"-style leftovers and empty parens.
  name = name.replace(/^\(\s*\)$/, '').trim();
  if (name.length >= 2 && name.startsWith('"') && name.endsWith('"')) name = name.slice(1, -1);
  return { name, address };
}

function makeTrailer(name: string, value: string): Trailer {
  const v = value.trim();
  return { name, value: v, person: isPersonTrailerName(name) ? parsePerson(v) : null };
}

/**
 * Recognises one trailer line. Known names (case-insensitively) and any `Xxx-by:`
 * form; the result has the canonical capitalisation. Returns null for anything else
 * (prose, headers like `Subject:`, empty values, indented lines).
 */
export function parseTrailerLine(line: string): Trailer | null {
  const l = line.replace(/\r$/, '');
  const m = GENERIC_RE.exec(l);
  if (!m) return null;
  const name = canonicalTrailerName(m[1] as string);
  const value = (m[2] as string).trim();
  if (!name || value === '') return null;
  return makeTrailer(name, value);
}

/** git's any-token trailer (used inside a trailer block, where git accepts every `token: value`). */
function parseGenericTrailerLine(line: string): Trailer | null {
  const known = parseTrailerLine(line);
  if (known) return known;
  const m = GENERIC_RE.exec(line);
  if (!m) return null;
  const value = (m[2] as string).trim();
  return makeTrailer(m[1] as string, value);
}

const isBlank = (s: string): boolean => s.trim() === '';
const GIT_GENERATED = ['Signed-off-by: ', '(cherry picked from commit '];

function isGitTrailerLine(line: string): boolean {
  if (line === '' || /^\s/.test(line)) return false;
  return GENERIC_RE.test(line);
}

/**
 * Where the commit message ends: at a `---` patch divider line (git's find_patch_start),
 * or where a patch starts without a divider (`diff -`, `Index: `, as git mailinfo sees
 * it), else at the end.
 */
function endOfLogMessage(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as string;
    if (l.startsWith('---') && (l.length === 3 || /^---\s/.test(l))) return i;
    if (l.startsWith('diff -') || l.startsWith('Index: ')) return i;
  }
  return lines.length;
}

/**
 * Splits a commit text (the body of a patch mail, without the subject) into the
 * message and its trailer block, following git interpret-trailers: the block is the
 * last paragraph before the `---` divider (or a `diff -` line) that either consists only of trailer lines
 * (with continuation lines), or contains a git-generated `Signed-off-by: ` and is at
 * least 25% trailer lines (so `[ ... ]` custody notes and a few stray lines are allowed).
 * Since the subject is not part of the text, the start of the text counts as a
 * paragraph break. b4's fix-ups are applied inside the block: a `<email>` line right
 * after a person trailer without an address is joined to it.
 *
 * `message` is the text before the trailer block with trailing blank lines removed;
 * `trailerStartLine` is the 1-based line of the block's first line in `commitText`.
 * The text after `---` is neither message nor trailers.
 */
export function splitTrailerBlock(commitText: string): { message: string; trailers: Trailer[]; trailerStartLine: number | null } {
  const lines = commitText.replace(/\r\n/g, '\n').split('\n');
  const end = endOfLogMessage(lines);
  // Drop trailing blank lines before the divider.
  let last = end - 1;
  while (last >= 0 && isBlank(lines[last] as string)) last--;
  const none = { message: lines.slice(0, end).join('\n').replace(/\s+$/, ''), trailers: [] as Trailer[], trailerStartLine: null };
  if (last < 0) return none;

  let trailerLines = 0;
  let nonTrailerLines = 0;
  let possibleContinuation = 0;
  let recognizedPrefix = false;
  let start = -1;
  let i = last;
  for (; i >= 0; i--) {
    const l = lines[i] as string;
    if (isBlank(l)) break;
    if (GIT_GENERATED.some((p) => l.startsWith(p))) {
      trailerLines++;
      possibleContinuation = 0;
      recognizedPrefix = true;
      continue;
    }
    if (isGitTrailerLine(l)) {
      trailerLines++;
      possibleContinuation = 0;
    } else if (/^\s/.test(l)) {
      possibleContinuation++;
    } else {
      nonTrailerLines++;
      nonTrailerLines += possibleContinuation;
      possibleContinuation = 0;
    }
  }
  // Reached a blank line (i >= 0) or the top of the text (i === -1): both end the paragraph.
  nonTrailerLines += possibleContinuation;
  if ((recognizedPrefix && trailerLines * 3 >= nonTrailerLines) || (trailerLines > 0 && nonTrailerLines === 0)) {
    start = i + 1;
  }
  if (start < 0) return none;

  const trailers: Trailer[] = [];
  let current: { line: string } | null = null;
  const flush = (): void => {
    if (!current) return;
    const t = parseGenericTrailerLine(current.line);
    if (t && t.value !== '') trailers.push(t);
    current = null;
  };
  for (let k = start; k <= last; k++) {
    const l = lines[k] as string;
    if (isGitTrailerLine(l)) {
      flush();
      current = { line: l.trimEnd() };
    } else if (current && /^\s/.test(l) && !/^\s*\[.*\]\s*$/.test(l)) {
      // Continuation line (folded value).
      current.line += ' ' + l.trim();
    } else if (current && /^<[^<>\s]+@[^<>\s]+>\s*$/.test(l) && !/[^\s<>]+@[^\s<>]+/.test(current.line.replace(/^[^:]*:/, ''))) {
      // b4: "Signed-off-by: Long Name\n<email@example.com>"
      current.line += ' ' + l.trim();
    } else {
      // Custody note "[...]" or a stray non-trailer line: ends the current trailer.
      flush();
    }
  }
  flush();
  const message = lines.slice(0, start).join('\n').replace(/\s+$/, '');
  return { message, trailers, trailerStartLine: start + 1 };
}

function emailsMatch(a: string, b: string): boolean {
  let x = a.toLowerCase();
  let y = b.toLowerCase();
  if (x === y) return true;
  if (!x.includes('@') || !y.includes('@')) return false;
  // foo+kernel@example.com == foo@example.com
  x = x.replace(/\+[^@]+@/, '@');
  y = y.replace(/\+[^@]+@/, '@');
  if (x === y) return true;
  // foo@linux.intel.com == foo@intel.com
  const [xl, xd] = x.split('@', 2) as [string, string];
  const [yl, yd] = y.split('@', 2) as [string, string];
  if (xl !== yl) return false;
  const dots = (s: string): number => s.split('.').length - 1;
  return Math.abs(dots(xd) - dots(yd)) === 1 && (xd.endsWith(`.${yd}`) || yd.endsWith(`.${xd}`));
}

/** b4's rule: the trailer's person is the reply's sender by address (fuzzy) or by name. */
function personMatchesSender(person: Address, sender: Address): boolean {
  if (person.address && sender.address && emailsMatch(person.address, sender.address)) return true;
  const tn = person.name.toLowerCase().trim();
  const hn = sender.name.toLowerCase().trim();
  if (!tn || !hn) return false;
  if (tn === hn) return true;
  // "Last, First" in the From header: every comma-separated part must be in the trailer name.
  if (hn.includes(',')) return hn.split(',').every((part) => tn.includes(part.trim()));
  return false;
}

const OUTLOOK_ORIGINAL_RE = /^-{3,}\s*Original Message\s*-{3,}/i;
const UNDERSCORES_RE = /^_{10,}\s*$/;
const UNIFIED_OLD_RE = /^--- (a\/|\/dev\/null)/;
const DIVIDER_RE = /^---\s*$/;
const QUOTED_RE = /^\s*>/;

const FOLLOWUP_IGNORED = new Set(['phone', 'email', 'subject', 'date', 'from', 'to']);

/**
 * Trailers a reviewer gives in a reply (b4's follow-up trailers).
 *
 * - Only the reply's own text: quoted lines (`>`) are skipped, and everything from the
 *   signature marker (`-- ` or `--`), an Outlook original-message separator
 *   (`-----Original Message-----`, a line of underscores) or a `---` divider on is
 *   ignored. A reply that
 *   carries an unquoted diff (`diff --git`, `--- a/`) before those is a patch sent in
 *   reply: it gives no follow-up trailers (its trailers are the patch's own).
 * - Lines are read with leading blanks stripped (b4's stripped-lines).
 * - Person trailers count only when the person is the sender: same address
 *   (case-insensitive, ignoring `+tag` and one extra subdomain level) or same name
 *   (also "Last, First" From headers). With a null sender no person trailer is taken.
 * - Non-person trailers (Fixes, Link, Closes) written unquoted by the sender are taken
 *   (the sender is the one giving them; b4 also collects them).
 * - Wrapped person trailers (`Reviewed-by: Long Name\n<email>`) are joined, and mail
 *   clients' `<mailto:...>` junk is removed.
 */
export function extractFollowupTrailers(replyBody: string, sender: Address | null): Trailer[] {
  const raw = (replyBody.includes('\r') ? replyBody.replace(/\r\n/g, '\n') : replyBody).split('\n');
  const lines: string[] = [];
  let divider = false;
  for (const l of raw) {
    // Only lines starting with '-', '_' or 'd' can end the reply's own text or mark a patch.
    const c = l.charCodeAt(0);
    if (c === 0x2d) {
      if (l === '-- ' || l === '--') break;
      // Outlook-style unquoted copy of the original below the reply: not the sender's words.
      if (OUTLOOK_ORIGINAL_RE.test(l)) break;
      // A patch sent in reply (a new version, an applied copy, "something like this?"): its trailers are the patch's own.
      if (UNIFIED_OLD_RE.test(l)) return [];
      if (DIVIDER_RE.test(l)) divider = true;
    } else if (c === 0x5f) {
      if (UNDERSCORES_RE.test(l)) break;
    } else if (c === 0x64 && l.startsWith('diff --git ')) return [];
    if (!divider) lines.push(l);
  }
  const out: Trailer[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (QUOTED_RE.test(line) || !line.includes(':')) continue;
    let text = line.trim();
    const m = GENERIC_RE.exec(text);
    if (!m) continue;
    const name = canonicalTrailerName(m[1] as string);
    if (!name || FOLLOWUP_IGNORED.has(name.toLowerCase())) continue;
    const next = lines[i + 1];
    if (isPersonTrailerName(name) && !/@/.test(m[2] as string) && next !== undefined && /^\s*<[^<>\s]+@[^<>\s]+>\s*$/.test(next)) {
      text += ' ' + next.trim();
      i++;
    }
    const t = parseTrailerLine(text);
    if (!t) continue;
    if (isPersonTrailerName(t.name)) {
      if (!t.person || !sender || !personMatchesSender(t.person, sender)) continue;
      t.value = t.value.replace(/<mailto:[^>]*>/gi, '');
    }
    out.push(t);
  }
  return out;
}
