import type { Address } from '../../model/index.js';

/** Header lines are folded to stay within this many columns where whitespace allows. */
const FOLD_AT = 78;
// Under RFC 2047's 75 so that "Subject: " plus one word still fits in 78 columns.
const ENCODED_WORD_MAX = 64;

// eslint-disable-next-line no-control-regex
const isAscii = (s: string): boolean => /^[\x00-\x7f]*$/.test(s);

/** RFC 2047 B-encoded words, split on character boundaries so each word stays <= 75 chars. */
export function encodeWords(text: string): string[] {
  const prefix = '=?UTF-8?B?';
  const suffix = '?=';
  const maxBytes = Math.floor((ENCODED_WORD_MAX - prefix.length - suffix.length) / 4) * 3;
  const words: string[] = [];
  let chunk = '';
  for (const ch of text) {
    if (Buffer.byteLength(chunk + ch, 'utf8') > maxBytes) {
      words.push(prefix + Buffer.from(chunk, 'utf8').toString('base64') + suffix);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk !== '') words.push(prefix + Buffer.from(chunk, 'utf8').toString('base64') + suffix);
  return words;
}

/**
 * Fold an unstructured header value. ASCII values are folded only before existing spaces, so
 * unfolding (removing CRLF) gives back the exact value. Non-ASCII values become encoded words.
 */
export function foldHeader(name: string, value: string): string {
  const tokens = isAscii(value) ? value.split(/(?= )/) : encodeWords(value).map((w, i) => (i === 0 ? w : ` ${w}`));
  const lines: string[] = [];
  let cur = `${name}:`;
  let first = true;
  for (const tok of tokens) {
    const piece = first && !tok.startsWith(' ') ? ` ${tok}` : tok;
    first = false;
    if (cur.length + piece.length > FOLD_AT && cur.trim() !== `${name}:` && piece.startsWith(' ')) {
      lines.push(cur);
      cur = piece;
    } else {
      cur += piece;
    }
  }
  lines.push(cur);
  return lines.join('\r\n');
}

/** A phrase (display name) as RFC 5322 allows it: atoms as they are, else quoted, else encoded. */
function formatPhrase(name: string): string {
  if (!isAscii(name)) return encodeWords(name).join(' ');
  if (/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/.test(name)) return name;
  return `"${name.replace(/(["\\])/g, '\\$1')}"`;
}

export function formatAddress(a: Address): string {
  return a.name.trim() === '' ? a.address : `${formatPhrase(a.name.trim())} <${a.address}>`;
}

/** An address-list header folded after commas, one or more addresses per line. */
export function foldAddressList(name: string, addrs: Address[]): string {
  const items = addrs.map(formatAddress);
  const lines: string[] = [];
  let cur = `${name}:`;
  items.forEach((item, i) => {
    const piece = ` ${item}${i < items.length - 1 ? ',' : ''}`;
    if (cur.length + piece.length > FOLD_AT && cur !== `${name}:`) {
      lines.push(cur);
      cur = piece;
    } else cur += piece;
  });
  lines.push(cur);
  return lines.join('\r\n');
}

/** A list of message ids, one per folded line after the first (as git send-email writes References). */
export function foldIdList(name: string, ids: string[]): string {
  return `${name}: ${ids.map((id) => `<${id}>`).join('\r\n ')}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** RFC 5322 date in UTC: "Thu, 29 Dec 2022 16:54:06 +0000". */
export function formatRfc5322Date(d: Date): string {
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

export { isAscii };
