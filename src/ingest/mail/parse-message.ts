/**
 * Raw mail bytes into our `Message`.
 *
 * Two paths give the same result:
 * - the fast path, for a single-part text/plain message (no Content-Type, or
 *   text/plain in UTF-8 / US-ASCII / ISO-8859-1, 7bit, 8bit, quoted-printable or
 *   base64, not format=flowed) with well-formed headers: headers are unfolded and
 *   RFC 2047-decoded here, the body decoded with Buffer;
 * - mailparser for everything else (multipart/mixed, multipart/signed, attachments,
 *   other charsets incl. iso-2022-jp, format=flowed).
 * Message-ID, References, In-Reply-To, Date and the selected raw headers are read from
 * the raw header lines the same way on both paths.
 *
 * What is "not readable as mail" (quarantined with a MalformedMessageError whose message
 * says why): empty input; input whose first line (after an mbox `From ` line) is not a
 * header field; a header section of more than 10% control bytes (binary data); a header
 * section without any of From, To, Cc, Subject, Date, Message-ID; and anything mailparser
 * itself rejects. Everything else is read tolerantly: missing headers become null/empty,
 * a missing Message-ID is synthesised from a hash of the bytes, stray NUL characters are
 * dropped from header values.
 */
import { createHash } from 'node:crypto';
import type { Address, Attachment, Message, RawMessage } from '../../model/message.js';
import { MalformedMessageError, type Result, ok, fail } from '../../model/errors.js';
import {
  type RawHeaderLine,
  allHeaders,
  binaryToUtf8,
  decodeCharset,
  decodeRfc2047,
  firstHeader,
  headerValue,
  parseContentType,
  parseInReplyTo,
  parseMessageId,
  parseReferences,
  splitHeaderSection,
} from './mail-headers.js';
import { parseMailDate } from './parse-date.js';
import { loadMailparser, parsedAddresses, simpleAddresses, viaMailparser } from './via-mailparser.js';

/** Raw headers kept in `Message.headers` (first occurrence, unfolded, not decoded). */
export const KEPT_HEADERS: readonly string[] = [
  'list-id', 'list-archive', 'archived-at', 'x-mailing-list', 'x-mailer', 'user-agent',
  'mime-version', 'content-type', 'content-transfer-encoding', 'reply-to', 'sender',
  'x-patchwork-id', 'x-patchwork-delegate', 'x-patchwork-state', 'x-b4-tracking', 'change-id',
  'x-developer-signature', 'x-developer-key', 'organization',
];
const KEPT = new Set(KEPT_HEADERS);

const MAIL_HEADERS = new Set(['from', 'to', 'cc', 'subject', 'date', 'message-id']);


export type ParsePath = 'auto' | 'fast' | 'mailparser';

export interface ParseMessageOptions {
  /**
   * false: the fast path leaves `to` and `cc` empty instead of reading them (compact ingest
   * drops them; long Cc lists are a good part of the parsing). Default true.
   */
  recipients?: boolean;
}

/** Parses one raw message; never throws for bad input. */
export async function parseMessage(raw: RawMessage, opts: ParseMessageOptions = {}): Promise<Result<Message, MalformedMessageError>> {
  return parseMessageVia(raw, 'auto', opts);
}

/**
 * As parseMessage, choosing the path: 'auto' (fast path when it applies), 'mailparser'
 * (always mailparser), 'fast' (fast path or an error when it does not apply; for tests).
 */
export async function parseMessageVia(raw: RawMessage, path: ParsePath, opts: ParseMessageOptions = {}): Promise<Result<Message, MalformedMessageError>> {
  const recipients = opts.recipients !== false;
  const bad = (reason: string): Result<never, MalformedMessageError> => fail(new MalformedMessageError(reason, raw.source));
  const bytes = raw.bytes;
  if (bytes.length === 0) return bad('empty input: the message has no bytes');
  if (isAllWhitespace(bytes)) return bad('empty input: the message is only blank lines');
  const section = splitHeaderSection(bytes);
  const headerText = section.text;
  // One scan for the rare cases: control bytes (binary data?) or 8-bit bytes (left to mailparser).
  const unusual = UNUSUAL_RE.test(headerText);
  if (unusual && controlRatio(headerText) > 0.1) return bad('binary data: the header section is mostly control bytes, not text');
  const firstLine = firstContentLine(bytes, section.fromLine);
  if (!/^[!-9;-~]+[ \t]*:/.test(firstLine)) {
    return bad(`no header section: the first line ${JSON.stringify(firstLine.slice(0, 60))} is not a "Name: value" header field`);
  }
  if (!section.lines.some((l) => MAIL_HEADERS.has(l.key))) {
    return bad('no mail headers: none of From, To, Cc, Subject, Date, Message-ID is present');
  }

  // Headers with raw 8-bit bytes are left to mailparser.
  // eslint-disable-next-line no-control-regex
  const fast = path !== 'mailparser' && !(unusual && /[\x80-\xff]/.test(headerText)) ? fastPathPlan(section.lines, section.malformed) : null;
  if (path === 'fast' && !fast) return bad('fast path does not apply to this message');
  let content: { subject: string; from: Address | null; to: Address[]; cc: Address[]; body: string; attachments: Attachment[] };
  if (fast) {
    const body = decodeBody(bytes.subarray(section.bodyOffset), fast);
    // each address header is read once with the simple reader; mailparser only for what it cannot read
    const keys = recipients ? (['from', 'to', 'cc'] as const) : (['from'] as const);
    const simple = new Map(keys.map((k) => [k, simpleAddresses(section.lines, k)]));
    const mp = [...simple.values()].includes(null) ? await loadMailparser() : null;
    const addresses = (k: 'from' | 'to' | 'cc'): Address[] => simple.get(k) ?? (mp ? parsedAddresses(mp, section.lines, k) : []);
    content = {
      subject: decodeRfc2047(firstHeader(section.lines, 'subject') ?? ''),
      from: addresses('from')[0] ?? null,
      to: recipients ? addresses('to') : [],
      cc: recipients ? addresses('cc') : [],
      body,
      attachments: [],
    };
  } else {
    try {
      content = await viaMailparser(bytes);
    } catch (e) {
      return bad(`mailparser could not read it: ${(e as Error).message}`);
    }
  }

  const lines = section.lines;
  const rawId = parseMessageId(firstHeader(lines, 'message-id'));
  const headers: Record<string, string> = {};
  for (const l of lines) {
    if (KEPT.has(l.key) && !(l.key in headers)) headers[l.key] = clean(binaryToUtf8(headerValue(l.line)));
  }
  const inReplyTo = parseInReplyTo(firstHeader(lines, 'in-reply-to'));
  const message: Message = {
    source: raw.source,
    messageId: rawId !== null ? clean(rawId) : synthesiseMessageId(bytes),
    messageIdSynthesised: rawId === null,
    inReplyTo: inReplyTo !== null ? clean(inReplyTo) : null,
    references: parseReferences(allHeaders(lines, 'references')).map(clean),
    subject: clean(content.subject),
    from: content.from ? cleanAddress(content.from) : null,
    to: content.to.map(cleanAddress),
    cc: content.cc.map(cleanAddress),
    date: parseMailDate(firstHeader(lines, 'date')),
    body: content.body,
    attachments: content.attachments,
    headers,
  };
  return ok(message);
}

/** `<first 20 hex of sha1(bytes)>@bpf-review.invalid`: the same bytes always get the same id. */
export function synthesiseMessageId(bytes: Buffer): string {
  return `${createHash('sha1').update(bytes).digest('hex').slice(0, 20)}@bpf-review.invalid`;
}

function isAllWhitespace(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i] as number;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return true;
}

// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
// eslint-disable-next-line no-control-regex
const UNUSUAL_RE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\xff]/;
// eslint-disable-next-line no-control-regex
const NUL_RE = /\u0000/g;

/** NUL characters are dropped from header-derived strings (they break text stores and comparisons). */
function clean(s: string): string {
  return s.includes('\u0000') ? s.replace(NUL_RE, '') : s;
}

function cleanAddress(a: Address): Address {
  return { name: clean(a.name), address: clean(a.address) };
}

function controlRatio(b: string): number {
  if (b.length === 0 || !CONTROL_RE.test(b)) return 0;
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) n++;
  }
  return n / b.length;
}

function firstContentLine(bytes: Buffer, skipFrom: boolean): string {
  let pos = 0;
  if (skipFrom) {
    const nl = bytes.indexOf(0x0a);
    pos = nl < 0 ? bytes.length : nl + 1;
  }
  let nl = bytes.indexOf(0x0a, pos);
  if (nl < 0) nl = bytes.length;
  return bytes.toString('latin1', pos, Math.min(nl, pos + 200)).replace(/\r$/, '');
}

interface FastPlan {
  encoding: 'identity' | 'quoted-printable' | 'base64';
  charset: string | null;
  /** format=flowed (RFC 3676), and its delsp=yes. */
  flowed: boolean;
  delSp: boolean;
}

/**
 * Charsets the fast path decodes (normalised: lower case, letters and digits only):
 * UTF-8, ASCII, Latin-1 with Buffer; the ISO-8859, Windows, KOI8 and Chinese/Korean
 * ones with TextDecoder. ISO-2022-JP, Shift_JIS, EUC-JP, UTF-7/16 go to mailparser.
 */
const FAST_CHARSET_RE = /^(?:|utf8|usascii|ascii|iso88591|latin1|iso8859(?:[2-9]|1[0-6])|windows125[0-8]|cp125[0-8]|koi8[ru]|gb2312|gbk|gb18030|big5|euckr)$/;
const SINGLE_KEYS = ['subject', 'from', 'content-type', 'content-transfer-encoding', 'content-disposition'];

/** When the fast path applies: one text/plain part, simple encoding and charset, clean headers. */
function fastPathPlan(lines: RawHeaderLine[], malformed: number): FastPlan | null {
  if (malformed > 0) return null;
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(l.key, (counts.get(l.key) ?? 0) + 1);
  for (const k of SINGLE_KEYS) if ((counts.get(k) ?? 0) > 1) return null;
  const ctRaw = firstHeader(lines, 'content-type');
  const ct = parseContentType(ctRaw);
  if (ctRaw !== null && ct.type !== 'text/plain') return null;
  if (ctRaw !== null && /=\?|\*=|\(/.test(ctRaw)) return null;
  const keys = Object.keys(ct.params);
  if (keys.some((k) => k !== 'charset' && k !== 'delsp' && k !== 'format')) return null;
  const format = (ct.params.format ?? 'fixed').toLowerCase().trim();
  if (format !== 'fixed' && format !== 'flowed') return null;
  const flowed = format === 'flowed';
  const delSp = flowed && (ct.params.delsp ?? '').toLowerCase().trim() === 'yes';
  const charset = ct.params.charset ?? null;
  if (!FAST_CHARSET_RE.test((charset ?? '').toLowerCase().replace(/[^a-z0-9]+/g, ''))) return null;
  const disp = firstHeader(lines, 'content-disposition');
  if (disp !== null && !/^\s*inline\s*$/i.test(disp)) return null;
  const cte = (firstHeader(lines, 'content-transfer-encoding') ?? '').toLowerCase().trim();
  let encoding: FastPlan['encoding'];
  if (cte === '' || cte === '7bit' || cte === '8bit' || cte === 'binary') encoding = 'identity';
  else if (cte === 'quoted-printable') encoding = 'quoted-printable';
  else if (cte === 'base64') encoding = 'base64';
  else return null;
  return { encoding, charset, flowed, delSp };
}

/** Quoted-printable as libqp reads it: trailing blanks dropped, soft breaks joined, bad escapes kept. */
export function decodeQuotedPrintable(input: Buffer): Buffer {
  const s = input
    .toString('latin1')
    .replace(/(^|[^ \t])[ \t]+(?=[\n\r\u2028\u2029]|$)/g, '$1')
    .replace(/=(?:\r?\n|$)/g, '');
  const out = Buffer.alloc(s.length);
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x3d && i < s.length - 2) {
      const hi = hex(s.charCodeAt(i + 1));
      const lo = hex(s.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        out[o++] = hi * 16 + lo;
        i += 2;
        continue;
      }
    }
    out[o++] = c;
  }
  return out.subarray(0, o);
}

function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * RFC 3676 format=flowed, on a 'binary' string (transfer-decoded, not yet charset-decoded):
 * a line ending in a space continues on the next line of the same quote depth (the
 * signature line `-- ` excepted); with delsp=yes that space is dropped; space-stuffing is
 * removed. Quoted paragraphs keep the quote marker of their first line. As mailparser
 * does, a final line break is not kept.
 */
export function decodeFlowed(input: string, delSp: boolean): string {
  const out: string[] = [];
  let para = '';
  let prefix = '';
  let depth = 0;
  const lines = input.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    let d = 0;
    while (line.charCodeAt(d) === 0x3e) d++;
    const prefixLen = d > 0 && line.charCodeAt(d) === 0x20 ? d + 1 : d;
    const content = line.slice(prefixLen);
    if (i > 0 && d === depth && para.endsWith(' ') && para !== '-- ') {
      if (delSp) para = para.slice(0, -1);
      para += d > 0 ? content : content.startsWith(' ') ? content.slice(1) : content;
      continue;
    }
    if (i > 0) out.push(prefix + para);
    para = content;
    prefix = line.slice(0, prefixLen);
    depth = d;
  }
  if (para !== '' || prefix !== '') out.push(prefix + para);
  return out.join('\n').replace(/^ /gm, '');
}

function decodeBody(body: Buffer, plan: FastPlan): string {
  const { encoding, charset } = plan;
  let bytes = body;
  if (encoding === 'quoted-printable') bytes = decodeQuotedPrintable(body);
  else if (encoding === 'base64') bytes = Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  if (plan.flowed) bytes = Buffer.from(decodeFlowed(bytes.toString('latin1'), plan.delSp), 'latin1');
  const text = decodeCharset(bytes, charset) ?? bytes.toString('utf8');
  return text.includes('\r') ? text.replace(/\r\n/g, '\n') : text;
}

export { decodeRfc2047 };
