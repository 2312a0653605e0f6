/**
 * RFC 5322 Date header values, tolerant of what list mail really carries:
 * optional day name, obsolete 2- and 3-digit years (`103` is 2003), named zones
 * (UT, GMT, EST ... PDT), zone comments `(PST)`, missing seconds, extra blanks.
 * Pure, no IO.
 */

const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};

const ZONES: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
  cet: 60, cest: 120, met: 60, mest: 120, bst: 60, ist: 330, jst: 540, eet: 120, eest: 180,
};

const DATE_RE =
  /^(?:[A-Za-z]{2,9}\s*,?\s*)?(\d{1,2})[\s-]+([A-Za-z]{3,9})\.?[\s-]+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*([+-]\d{4}|[+-]\d{2}:?\d{2}|[A-Za-z]{1,5})?/;

/** Year as RFC 5322 §4.3 reads obsolete forms: 00-49 => 20xx, 50-99 => 19xx, 3 digits (and 0xxx) => +1900. */
export function normaliseYear(text: string): number {
  const y = Number(text);
  if (text.length <= 2) return y < 50 ? 2000 + y : 1900 + y;
  if (y < 1000) return 1900 + y;
  return y;
}

/**
 * Parses a Date header value; returns ISO-8601 UTC (`2022-08-30T15:19:07.000Z`) or null
 * when it cannot be read (missing parts, impossible values, shell text like `$(date -R)`).
 */
export function parseMailDate(value: string | null): string | null {
  if (value === null) return null;
  const v = value.replace(/\([^)]*\)/g, ' ').replace(/\s+/g, ' ').trim();
  if (v === '') return null;
  const m = DATE_RE.exec(v);
  if (!m) {
    // ISO-8601 from some tools.
    if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(v)) {
      const t = Date.parse(v.replace(' ', 'T'));
      return Number.isNaN(t) ? null : new Date(t).toISOString();
    }
    return null;
  }
  const day = Number(m[1]);
  const month = MONTHS[(m[2] as string).slice(0, 3).toLowerCase()];
  if (month === undefined) return null;
  const year = normaliseYear(m[3] as string);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  let offset = 0;
  const zone = m[7];
  if (zone) {
    const num = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
    if (num) {
      const mins = Number(num[2]) * 60 + Number(num[3]);
      if (Number(num[3]) > 59) return null;
      offset = num[1] === '-' ? -mins : mins;
    } else {
      offset = ZONES[zone.toLowerCase()] ?? 0; // military and unknown zones: RFC 5322 says treat as -0000
    }
  }
  const local = Date.UTC(year, month, day, hour, minute, Math.min(second, 59));
  const check = new Date(local);
  if (check.getUTCDate() !== day) return null; // 31 Feb
  return new Date(local - offset * 60_000).toISOString();
}

/** The wall-clock fields as written in the header (no zone applied): "Tue, 4 Nov 2025 22:14:47". */
export function mailDateLocalFields(value: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } | null {
  const v = value.replace(/\([^)]*\)/g, ' ').replace(/\s+/g, ' ').trim();
  const m = DATE_RE.exec(v);
  if (!m) return null;
  const month = MONTHS[(m[2] as string).slice(0, 3).toLowerCase()];
  if (month === undefined) return null;
  return {
    year: normaliseYear(m[3] as string),
    month: month + 1,
    day: Number(m[1]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: m[6] === undefined ? 0 : Number(m[6]),
  };
}
