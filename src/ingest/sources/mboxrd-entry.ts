/**
 * Writing mbox, the inverse of splitMbox: one message as an mboxrd entry, and a message with its
 * mbox From_ line taken off. Pure.
 */

/** The From_ line lore and public-inbox write. */
export const LORE_FROM_LINE = 'From mboxrd@z Thu Jan  1 00:00:00 1970';

/**
 * One message as an mboxrd entry: the From_ line, every line matching `>*From ` given one more
 * `>`, a final newline if missing, then the blank line that ends an entry. Bytes are kept as they
 * are (latin1 round trip), so splitMbox gives back exactly `message`.
 */
export function mboxrdEntry(message: Buffer, fromLine = LORE_FROM_LINE, eol = '\n'): Buffer {
  let s = message.toString('latin1').replace(/^(>*From )/gm, '>$1');
  if (!s.endsWith('\n')) s += eol;
  return Buffer.from(`${fromLine}${eol}${s}${eol}`, 'latin1');
}

/** A message without a leading mbox From_ line (what b4 and public-inbox-mda expect). */
export function withoutFromLine(raw: Buffer): Buffer {
  if (raw.subarray(0, 5).toString('latin1') !== 'From ') return raw;
  const nl = raw.indexOf(0x0a);
  return nl < 0 ? Buffer.alloc(0) : raw.subarray(nl + 1);
}
