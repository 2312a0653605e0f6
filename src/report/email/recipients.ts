import type { Address } from '../../model/index.js';

/** Who a reply goes to: the patch author only, or the author with the list and the patch's Cc. */
export type RecipientMode = 'author' | 'author+list';

/**
 * True when `address` is on the never-mail list. Entries are full addresses
 * ("someone@example.org") or whole domains ("@example.org", "*@example.org"); case-insensitive.
 */
export function isNeverMail(address: string, neverMail: readonly string[]): boolean {
  const a = address.trim().toLowerCase();
  return neverMail.some((raw) => {
    const e = raw.trim().toLowerCase();
    if (e === '') return false;
    if (e.startsWith('*@')) return a.endsWith(e.slice(1));
    if (e.startsWith('@')) return a.endsWith(e);
    return a === e;
  });
}

export interface Recipients {
  to: Address[];
  cc: Address[];
}

/**
 * To: the author; Cc (author+list): everyone on the original To and Cc, without the author,
 * without ourselves, without never-mail addresses, without duplicates, in their original order.
 */
export function chooseRecipients(
  author: Address | null,
  original: { to: Address[]; cc: Address[] } | null,
  self: Address,
  mode: RecipientMode,
  neverMail: readonly string[],
): Recipients {
  const seen = new Set<string>([self.address.toLowerCase()]);
  const keep = (a: Address): boolean => {
    const key = a.address.toLowerCase();
    if (a.address.trim() === '' || seen.has(key) || isNeverMail(a.address, neverMail)) return false;
    seen.add(key);
    return true;
  };
  const to = author && keep(author) ? [author] : [];
  const cc = mode === 'author+list' && original ? [...original.to, ...original.cc].filter(keep) : [];
  return { to, cc };
}
