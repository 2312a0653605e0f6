/**
 * Header-level helpers shared by both parse paths: splitting the header section
 * off the raw bytes, unfolding, RFC 2047 decoding, Message-ID / References /
 * In-Reply-To tokens. Pure, no IO.
 */

/** One header field as it appeared: lower-cased name, and the raw line(s) (folded, 'binary' string). */
export interface RawHeaderLine {
  key: string;
  /** The whole field, "Name: value" with its folding, as a 'binary' (latin1) string. */
  line: string;
}

export interface HeaderSection {
  lines: RawHeaderLine[];
  /** Byte offset where the body starts (after the blank line), or bytes.length. */
  bodyOffset: number;
  /** Lines in the header section that are neither fields nor continuations. */
  malformed: number;
  /** A leading mbox "From " line was skipped. */
  fromLine: boolean;
  /** The header section (without the From line) as a 'binary' (latin1) string. */
  text: string;
}

const LF_LF = Buffer.from('\n\n', 'latin1');
const LF_CR_LF = Buffer.from('\n\r\n', 'latin1');

/** Field names as written -> lower case (the same few dozen names repeat on every mail). */
const lowerNames = new Map<string, string>();

/**
 * Length of the field name when `line` starts a header field (`Name:`, `Name :`; the name is
 * printable ASCII without ':'), else 0.
 */
function fieldNameLength(line: string): number {
  let i = 0;
  for (; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x3a) break;
  }
  if (i === 0) return 0;
  let j = i;
  while (j < line.length && (line.charCodeAt(j) === 0x20 || line.charCodeAt(j) === 0x09)) j++;
  return line.charCodeAt(j) === 0x3a ? i : 0;
}

/**
 * Splits the header section. A leading mbox `From ` line is skipped. The section ends
 * at the first empty line; without one, the whole input is headers.
 */
export function splitHeaderSection(bytes: Buffer): HeaderSection {
  const len = bytes.length;
  let start = 0;
  let fromLine = false;
  if (len >= 5 && bytes[0] === 0x46 && bytes[1] === 0x72 && bytes[2] === 0x6f && bytes[3] === 0x6d && bytes[4] === 0x20) {
    const nl = bytes.indexOf(0x0a);
    start = nl < 0 ? len : nl + 1;
    fromLine = true;
  }
  // End of the header section: the first empty line (LF LF or LF CR LF), or a leading empty line.
  let end = len;
  let bodyOffset = len;
  if (bytes[start] === 0x0a) {
    end = start;
    bodyOffset = start + 1;
  } else if (bytes[start] === 0x0d && bytes[start + 1] === 0x0a) {
    end = start;
    bodyOffset = start + 2;
  } else if (start < len) {
    const lf = bytes.indexOf(LF_LF, start);
    // An LF CR LF can only come first if it lies before that LF LF.
    const crlfIn = lf < 0 ? bytes.subarray(start) : bytes.subarray(start, lf + 1);
    const crlf = crlfIn.indexOf(LF_CR_LF);
    if (crlf >= 0) {
      end = start + crlf + 1;
      bodyOffset = start + crlf + 3;
    } else if (lf >= 0) {
      end = lf + 1;
      bodyOffset = lf + 2;
    }
  }
  const text = bytes.toString('latin1', start, end);
  const lines: RawHeaderLine[] = [];
  let malformed = 0;
  let current: string | null = null;
  let currentKey = '';
  for (const raw of text.split('\n')) {
    const line = raw.charCodeAt(raw.length - 1) === 0x0d ? raw.slice(0, -1) : raw;
    if (line === '') continue;
    const c = line.charCodeAt(0);
    if ((c === 0x20 || c === 0x09) && current !== null) {
      current += '\n' + line;
      continue;
    }
    if (current !== null) lines.push({ key: currentKey, line: current });
    current = null;
    const n = fieldNameLength(line);
    if (n > 0) {
      const name = line.slice(0, n);
      let key = lowerNames.get(name);
      if (key === undefined) {
        key = name.toLowerCase();
        if (lowerNames.size < 4096) lowerNames.set(name, key);
      }
      currentKey = key;
      current = line;
    } else {
      malformed++;
    }
  }
  if (current !== null) lines.push({ key: currentKey, line: current });
  return { lines, bodyOffset, malformed, fromLine, text };
}

/** Value of a raw header line: after the colon, unfolded (a fold and its blanks become one space), trimmed. */
export function headerValue(line: string): string {
  const colon = line.indexOf(':');
  return line.slice(colon + 1).replace(/(?:\r?\n|\r)[ \t]*/g, ' ').trim();
}

/** A 'binary' (latin1) string's bytes read as UTF-8, the way raw 8-bit header bytes are read. */
export function binaryToUtf8(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\x80-\xff]/.test(s) ? Buffer.from(s, 'latin1').toString('utf8') : s;
}

/** First value of a header by lower-case name, unfolded, 8-bit bytes read as UTF-8; null when absent. */
export function firstHeader(lines: RawHeaderLine[], key: string): string | null {
  for (const l of lines) if (l.key === key) return binaryToUtf8(headerValue(l.line));
  return null;
}

export function allHeaders(lines: RawHeaderLine[], key: string): string[] {
  const out: string[] = [];
  for (const l of lines) if (l.key === key) out.push(binaryToUtf8(headerValue(l.line)));
  return out;
}

/** Decodes a charset name's bytes to a string; null when the charset is unknown. */
export function decodeCharset(bytes: Buffer, charset: string | null | undefined): string | null {
  const cs = (charset ?? 'utf-8').trim().toLowerCase().replace(/^"|"$/g, '');
  const norm = cs.replace(/[^a-z0-9]+/g, '');
  if (norm === '' || norm === 'utf8' || norm === 'usascii' || norm === 'ascii' || norm === 'unknown8bit' || norm === 'xunknown') {
    return bytes.toString('utf8');
  }
  if (norm === 'iso88591' || norm === 'latin1' || norm === 'l1' || norm === 'iso885911987') return bytes.toString('latin1');
  // Node 20's TextDecoder reads windows-1252 as ISO-8859-1 (C1 controls for 0x80-0x9F): decode it here.
  if (norm === 'windows1252' || norm === 'cp1252' || norm === 'xcp1252') return decodeWindows1252(bytes);
  try {
    return new TextDecoder(cs).decode(bytes);
  } catch {
    return null;
  }
}

/** Windows-1252 code points for bytes 0x80-0x9F (the rest is Latin-1); undefined bytes map to U+FFFD. */
const CP1252_HIGH = [
  0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
  0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178,
];

function decodeWindows1252(bytes: Buffer): string {
  const s = bytes.toString('latin1');
  // eslint-disable-next-line no-control-regex
  return /[\x80-\x9f]/.test(s) ? s.replace(/[\x80-\x9f]/g, (c) => String.fromCharCode(CP1252_HIGH[c.charCodeAt(0) - 0x80] as number)) : s;
}

const ENCODED_WORD = /=\?([^?\s]+)\?([QqBb])\?([^?\s]*)\?=/g;

function wordBytes(encoding: string, text: string): Buffer {
  if (encoding === 'B' || encoding === 'b') return Buffer.from(text, 'base64');
  const out: number[] = [];
  const s = text.replace(/=\s+([0-9a-fA-F])/g, '=$1');
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 0x3d && i + 2 < s.length + 0 && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      out.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (ch === 0x5f) {
      out.push(0x20);
    } else if (ch < 0x80) {
      out.push(ch);
    } else {
      for (const b of Buffer.from(s[i] as string, 'utf8')) out.push(b);
    }
  }
  return Buffer.from(out);
}

/**
 * RFC 2047 decoding of an (unfolded) header value: `=?charset?Q|B?text?=` words, any
 * charset the runtime knows (RFC 2231 `*lang` suffix ignored). Blanks between two
 * adjacent encoded words are dropped; adjacent words in the same charset and encoding
 * are joined at the byte level, so a multi-byte character split over two words comes
 * out whole. An unknown charset leaves the word as it was.
 */
export function decodeRfc2047(value: string): string {
  if (!value.includes('=?')) return value;
  type Piece = { kind: 'text'; text: string } | { kind: 'word'; raw: string; charset: string; enc: string; bytes: Buffer };
  const pieces: Piece[] = [];
  let last = 0;
  for (const m of value.matchAll(ENCODED_WORD)) {
    const idx = m.index ?? 0;
    if (idx > last) pieces.push({ kind: 'text', text: value.slice(last, idx) });
    const charset = (m[1] as string).split('*')[0] as string;
    pieces.push({ kind: 'word', raw: m[0], charset, enc: (m[2] as string).toUpperCase(), bytes: wordBytes(m[2] as string, m[3] as string) });
    last = idx + m[0].length;
  }
  if (last < value.length) pieces.push({ kind: 'text', text: value.slice(last) });
  // Drop whitespace-only text between two words.
  const merged: Piece[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i] as Piece;
    if (p.kind === 'text' && /^\s+$/.test(p.text) && pieces[i - 1]?.kind === 'word' && pieces[i + 1]?.kind === 'word') continue;
    const prev = merged[merged.length - 1];
    if (p.kind === 'word' && prev?.kind === 'word' && prev.enc === p.enc && normCharset(prev.charset) === normCharset(p.charset)) {
      prev.bytes = Buffer.concat([prev.bytes, p.bytes]);
      prev.raw += p.raw;
      continue;
    }
    merged.push(p.kind === 'word' ? { ...p } : p);
  }
  let out = '';
  for (const p of merged) {
    if (p.kind === 'text') out += p.text;
    else out += decodeCharset(p.bytes, p.charset) ?? p.raw;
  }
  return out;
}

function normCharset(c: string): string {
  return c.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** `<id>` tokens of a header value, in order, without brackets; bare tokens with an `@` when there are no brackets. */
export function messageIdTokens(value: string): string[] {
  const out: string[] = [];
  const bracketed = value.match(/<[^<>]*>/g);
  if (bracketed) {
    for (const b of bracketed) {
      const id = b.slice(1, -1).trim();
      if (id !== '' && !/\s/.test(id)) out.push(id);
    }
    return out;
  }
  for (const tok of value.split(/[\s,]+/)) {
    const t = tok.trim();
    if (t.includes('@') && !/[()"]/.test(t)) out.push(t);
  }
  return out;
}

/**
 * Message-ID without brackets, or null when the value holds none: the first `<...>`
 * token, else a bare token with an `@` (a half-bracketed `<a@b` or `a@b>` included).
 * Fragments like `2>` or `uk>` are not ids: the caller synthesises one.
 */
export function parseMessageId(value: string | null): string | null {
  if (value === null) return null;
  const t = messageIdTokens(value);
  if (t[0]) return t[0];
  const bare = value.trim().replace(/^<|>$/g, '').trim();
  return bare.includes('@') && !/[\s<>]/.test(bare) ? bare : null;
}

/** References: every id of every References header, in order, duplicates and garbage dropped. */
export function parseReferences(values: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const v of values) {
    for (const id of messageIdTokens(v)) {
      if (!seen.has(id)) {
        seen.add(id);
        out.push(id);
      }
    }
  }
  return out;
}

/** In-Reply-To: the first `<...>` token (or bare id), null when none. */
export function parseInReplyTo(value: string | null): string | null {
  if (value === null) return null;
  return messageIdTokens(value)[0] ?? null;
}

/** Content-Type value split into lower-case type and parameters (values unquoted). */
export function parseContentType(value: string | null): { type: string; params: Record<string, string> } {
  if (value === null) return { type: 'text/plain', params: {} };
  const parts = splitParams(value);
  const type = (parts.shift() ?? '').trim().toLowerCase().replace(/\s*\(.*\)\s*$/, '');
  const params: Record<string, string> = {};
  for (const p of parts) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const k = p.slice(0, eq).trim().toLowerCase();
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    params[k] = v;
  }
  return { type: type || 'text/plain', params };
}

function splitParams(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (ch === '"' && value[i - 1] !== '\\') quoted = !quoted;
    if (ch === ';' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

const QUOTED_ADDR = /^"((?:[^"\\]|\\.)*)"\s*<([^<>\s"(),;:\\]+@[^<>\s"(),;:\\]+)>$/;
const NAMED_ADDR = /^([^"<>(),;:@\\]*?)\s*<([^<>\s"(),;:\\]+@[^<>\s"(),;:\\]+)>$/;
const BARE_ADDR = /^([^<>\s"(),;:\\]+@[^<>\s"(),;:\\]+)$/;

/**
 * The common shapes of an (unfolded) address list, read without a full RFC 5322
 * parser: `Name <a@b>`, `"Name, Jr" <a@b>`, `<a@b>`, `a@b`, comma-separated. Returns
 * null when any entry has another shape (groups, comments, no `@`, punycode, stray
 * quotes), so the caller uses the full parser instead. Names are RFC 2047-decoded.
 */
export function parseSimpleAddressList(value: string): { name: string; address: string }[] | null {
  if (value.includes('(') || value.includes('xn--') || value.includes(';')) return null;
  const out: { name: string; address: string }[] = [];
  // Split on commas outside quoted strings and angle brackets.
  let depthAngle = 0;
  let quoted = false;
  let startIdx = 0;
  const chunks: string[] = [];
  for (let i = 0; i < value.length; i++) {
    const ch = value.charCodeAt(i);
    if (quoted) {
      if (ch === 0x5c) i++;
      else if (ch === 0x22) quoted = false;
    } else if (ch === 0x22) quoted = true;
    else if (ch === 0x3c) depthAngle++;
    else if (ch === 0x3e) depthAngle--;
    else if (ch === 0x2c && depthAngle === 0) {
      chunks.push(value.slice(startIdx, i));
      startIdx = i + 1;
    }
  }
  if (quoted || depthAngle !== 0) return null;
  chunks.push(value.slice(startIdx));
  for (const raw of chunks) {
    const c = raw.trim();
    if (c === '') continue;
    let m = BARE_ADDR.exec(c);
    if (m) {
      out.push({ name: '', address: m[1] as string });
      continue;
    }
    m = QUOTED_ADDR.exec(c);
    if (m) {
      const name = (m[1] as string).replace(/\\(.)/g, '$1').trim();
      if (name.includes('=?') || /\s{2}/.test(name)) return null;
      out.push({ name: name === m[2] ? '' : name, address: m[2] as string });
      continue;
    }
    m = NAMED_ADDR.exec(c);
    if (m) {
      const rawName = (m[1] as string).trim();
      if (/\s{2}|\t/.test(rawName) || rawName.includes('"')) return null;
      const name = rawName.includes('=?') ? decodeRfc2047(rawName) : rawName;
      out.push({ name: rawName === m[2] ? '' : name, address: m[2] as string });
      continue;
    }
    return null;
  }
  return out;
}
