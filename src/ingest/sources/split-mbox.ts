import type { RawMessage } from '../../model/message.js';

/**
 * mbox flavours we read. They differ only in unescaping; messages are separated the same way.
 * - `mboxrd` (the default): what lore/public-inbox and b4 write (and `git format-patch --stdout`
 *   output reads the same). Every body line matching `^>*From ` was written with one more `>`, so
 *   reading removes exactly one `>` from such lines (`>From ` -> `From `, `>>From ` -> `>From `).
 *   An mboxo file read as mboxrd only loses a `>` on lines a human wrote as `>From ` (rare), never
 *   a message or a line.
 * - `mboxo`: nothing is unescaped (`>From ` lines stay as they are: mboxo cannot tell an escaped
 *   `From ` from a quoted one).
 */
export type MboxFormat = 'mboxrd' | 'mboxo';

export interface SplitMboxOptions {
  format?: MboxFormat;
}

const NL = 0x0a;
const CR = 0x0d;
const GT = 0x3e;
const NL_FROM = Buffer.from('\nFrom ', 'latin1');
const GT_FROM = Buffer.from('>From ', 'latin1');
/** A From_ line longer than this is body text. Also the longest partial line carried between chunks. */
const MAX_FROM_LINE = 1024;

/**
 * A real From_ line: `From <sender> <date>` where the date has a month name, a hh:mm time and a
 * four-digit year, in any order (ctime `Mon Sep 17 00:00:00 2001` as git and public-inbox write it,
 * `Thu Jan  1 00:00:00 1970`, or an RFC 2822 date some tools write). Body prose starting with
 * `From ` ("From this we can't tell ...") does not match.
 */
const FROM_LINE_RE =
  /^From \S+ +(?=.*\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b)(?=.*\b\d{1,2}:\d{2}\b)(?=.*\b\d{4}\b)/;

/** Whether one line (without its line ending) is a strict mbox From_ separator line. */
export function isFromLine(line: string): boolean {
  return line.length <= MAX_FROM_LINE && FROM_LINE_RE.test(line);
}

/**
 * Split an mbox byte stream into messages, with constant memory (one message plus one chunk).
 *
 * Separators: the first non-blank line of the stream if it starts with `From `; after that only a
 * line matching {@link isFromLine} (a sender and a ctime-like date), as git mailsplit and
 * public-inbox do, with or without a blank line before it. Body prose that starts with `From `
 * ("From this we can't tell ...", unescaped by mboxo writers) therefore does not split a message.
 * The From_ line is not part of the message, nor is the blank line before the next From_ line (or
 * at the end of the file), which mbox writers add after each message. CRLF files work the same way.
 * Bytes before the first From_ line that are not all whitespace are yielded as a message too (so
 * nothing is lost silently; the parser decides what they are). A From_ line followed by nothing
 * yields an empty message, for the same reason.
 *
 * `source` of the N-th message (1-based) is `${name}#${N}`.
 */
export async function* splitMbox(
  stream: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array | string>,
  name: string,
  opts: SplitMboxOptions = {},
): AsyncGenerator<RawMessage> {
  const rd = (opts.format ?? 'mboxrd') === 'mboxrd';
  // Up to 3 bytes of data before the current buffer, so line starts and blank lines are seen across
  // chunks. At stream start a virtual blank line, so the first line counts as a line start.
  let ctx: Buffer = Buffer.from('\n\n', 'latin1');
  let carry: Buffer | null = null; // a short incomplete line, re-read with the next chunk
  let pieces: Buffer[] = [];
  let inMessage = false; // a From_ line has been seen
  let count = 0;

  const finish = (): RawMessage | null => {
    const bytes = pieces.length === 1 ? Buffer.from(pieces[0]!) : Buffer.concat(pieces);
    pieces = [];
    if (!inMessage && !hasNonSpace(bytes)) return null; // whitespace before the first From_ line
    count += 1;
    return { source: `${name}#${count}`, bytes };
  };

  function* process(buf: Buffer, base: number, final: boolean): Generator<RawMessage> {
    const end = buf.length;
    let limit = end;
    if (!final) {
      const lastNl = buf.lastIndexOf(NL);
      const complete = lastNl >= base ? lastNl + 1 : base;
      // A short incomplete last line waits for the next chunk; a long one is body text anyway.
      if (end - complete < MAX_FROM_LINE) limit = complete;
    }
    let pos = base; // start of bytes not yet moved into pieces
    let q1 = buf.indexOf(NL_FROM, base - 1);
    let q2 = rd ? nextEscapedFrom(buf, base - 1) : -1;
    for (;;) {
      let q: number;
      let isFrom: boolean;
      if (q1 !== -1 && (q2 === -1 || q1 < q2)) {
        q = q1;
        isFrom = true;
      } else if (q2 !== -1) {
        q = q2;
        isFrom = false;
      } else break;
      const p = q + 1; // a line start
      if (p >= limit) break;
      if (isFrom) {
        q1 = buf.indexOf(NL_FROM, p);
        const eol = buf.indexOf(NL, p);
        let lineEnd: number;
        if (eol === -1 || eol >= limit) {
          if (!final) continue; // a long partial line: not a From_ line
          lineEnd = end;
        } else lineEnd = eol;
        if (lineEnd - p > MAX_FROM_LINE) continue;
        // The first line that is not blank opens the mbox if it starts with `From ` at all.
        const atStart = !inMessage && !hasNonSpace(buf.subarray(pos, p)) && !pieces.some(hasNonSpace);
        const prevBlank = buf[p - 2] === NL || (buf[p - 2] === CR && buf[p - 3] === NL);
        let textEnd = lineEnd;
        if (buf[textEnd - 1] === CR) textEnd -= 1;
        const sep = atStart || FROM_LINE_RE.test(buf.toString('latin1', p, textEnd));
        if (!sep) continue;
        if (p > pos) pieces.push(buf.subarray(pos, p));
        if (prevBlank) trimEnd(pieces, buf[p - 2] === CR ? 2 : 1);
        const m = finish();
        if (m) yield m;
        inMessage = true;
        pos = eol === -1 || eol >= limit ? lineEnd : eol + 1;
        if (q1 !== -1 && q1 < pos - 1) q1 = buf.indexOf(NL_FROM, pos - 1);
        if (q2 !== -1 && q2 < pos - 1) q2 = nextEscapedFrom(buf, pos - 1);
      } else {
        q2 = nextEscapedFrom(buf, p);
        if (p > pos) pieces.push(buf.subarray(pos, p));
        pos = p + 1; // drop one '>'
      }
    }
    if (limit > pos) pieces.push(buf.subarray(pos, limit));
    carry = limit < end ? Buffer.from(buf.subarray(limit, end)) : null;
    ctx = Buffer.from(buf.subarray(Math.max(0, limit - 3), limit));
  }

  for await (const raw of stream) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    if (chunk.length === 0) continue;
    const head: Buffer = ctx;
    const buf = carry ? Buffer.concat([head, carry, chunk]) : Buffer.concat([head, chunk]);
    yield* process(buf, head.length, false);
  }
  if (carry) {
    const head: Buffer = ctx;
    yield* process(Buffer.concat([head, carry]), head.length, true);
  }
  if (inMessage) {
    // The blank line an mbox writer puts after the last message.
    const t = tailBytes(pieces, 3);
    if (t.endsWith('\n\r\n') || t === '\r\n') trimEnd(pieces, 2);
    else if (t.endsWith('\n\n') || t === '\n') trimEnd(pieces, 1);
  }
  if (inMessage || pieces.length > 0) {
    const m = finish();
    if (m) yield m;
  }
}

/**
 * The newline at or after `from` that starts an escaped line (`>From `, `>>From `, ...), or -1.
 * Searched by its `>From ` tail, which is rare, rather than by every quoted line.
 */
function nextEscapedFrom(buf: Buffer, from: number): number {
  for (let h = buf.indexOf(GT_FROM, from + 1); h !== -1; h = buf.indexOf(GT_FROM, h + 1)) {
    let k = h;
    while (k - 1 > from && buf[k - 1] === GT) k--;
    if (k - 1 >= from && buf[k - 1] === NL) return k - 1;
  }
  return -1;
}

function hasNonSpace(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c !== 0x20 && c !== 0x09 && c !== NL && c !== CR) return true;
  }
  return false;
}

/** Remove n bytes from the end of a list of buffers. */
function trimEnd(pieces: Buffer[], n: number): void {
  while (n > 0 && pieces.length > 0) {
    const last = pieces[pieces.length - 1]!;
    if (last.length <= n) {
      n -= last.length;
      pieces.pop();
    } else {
      pieces[pieces.length - 1] = last.subarray(0, last.length - n);
      n = 0;
    }
  }
}

/** The last up-to-n bytes of a list of buffers, as latin1. */
function tailBytes(pieces: Buffer[], n: number): string {
  let s = '';
  for (let i = pieces.length - 1; i >= 0 && s.length < n; i--) {
    const b = pieces[i]!;
    s = b.toString('latin1', Math.max(0, b.length - (n - s.length))) + s;
  }
  return s;
}
