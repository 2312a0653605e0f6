/**
 * The received time of a mail as public-inbox computes it (PublicInbox::MsgTime::msg_timestamp):
 * the date of the first (top-most) Received: header that has one, else the Date: header. lore's
 * Atom feed `<updated>` and the `rt:` search prefix use this time, in whole seconds.
 */

const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };

/** The header block of a raw message, unfolded, as [lower-case name, value] in order. */
export function headerFields(bytes: Buffer): Array<[string, string]> {
  let end = bytes.indexOf('\n\n');
  const crlf = bytes.indexOf('\r\n\r\n');
  if (crlf !== -1 && (end === -1 || crlf < end)) end = crlf;
  const text = bytes.toString('latin1', 0, end === -1 ? bytes.length : end).replace(/\r\n/g, '\n');
  const out: Array<[string, string]> = [];
  for (const line of text.split('\n')) {
    if (/^[ \t]/.test(line) && out.length > 0) {
      const last = out[out.length - 1]!;
      last[1] = `${last[1]} ${line.trim()}`.trim();
      continue;
    }
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('From ')) out.push([line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim()]);
  }
  return out;
}

/** "14 Aug 2025 13:57:21 +0000" (the shape RFC 5322 dates and Received: stamps share) → unix seconds. */
export function parseMailDate(s: string): number | null {
  const m = /(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{2,4})\s+(\d{1,2})\D(\d{2})(?:\D(\d{2}))?\s*([+-]\d{4}|UT|UTC|GMT|Z)?/.exec(s);
  if (!m) return null;
  const month = MONTHS[m[2]!.toLowerCase()];
  if (month === undefined) return null;
  let year = Number(m[3]);
  if (m[3]!.length === 2) year += year < 50 ? 2000 : 1900;
  else if (m[3]!.length === 3) year += 1900;
  const z = m[7];
  let offsetMin = 0;
  if (z && /^[+-]\d{4}$/.test(z)) offsetMin = (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5)));
  const ms = Date.UTC(year, month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000) - offsetMin * 60;
}

const RECEIVED_DATE = /\s*([0-9]+\s+[a-zA-Z]+\s+[0-9]{2,4}\s+[0-9]+[^0-9][0-9]+(?:[^0-9][0-9]+)\s+([+-][0-9]+))/;

/** Unix seconds the message was received (first Received: with a date, else Date:), null when neither reads. */
export function receivedTime(bytes: Buffer): number | null {
  const fields = headerFields(bytes);
  for (const [name, value] of fields) {
    if (name !== 'received') continue;
    const m = RECEIVED_DATE.exec(value);
    if (!m) continue;
    const t = parseMailDate(m[1]!);
    if (t !== null) return t;
  }
  const date = fields.find(([n]) => n === 'date');
  return date ? parseMailDate(date[1]) : null;
}

/** The Message-ID of a raw message without angle brackets, null when absent. */
export function messageIdOf(bytes: Buffer): string | null {
  const f = headerFields(bytes).find(([n]) => n === 'message-id');
  if (!f) return null;
  const m = /<([^>]+)>/.exec(f[1]);
  const id = (m ? m[1]! : f[1]).trim();
  return id || null;
}
