import { ConfigError } from '../../model/index.js';
import { isNeverMail } from '../../report/email/recipients.js';
import type { RenderedReply } from '../../report/email/render-replies.js';

/**
 * Who gets the bot's replies on one list. 'nobody' is the default: a list opts in.
 * delayMinutes: held back after being queued so humans see the patch first.
 * maxPerHour: replies accepted by the server in any rolling hour, at most.
 */
export interface MailPolicy {
  mode: 'nobody' | 'author' | 'author+list';
  delayMinutes: number;
  maxPerHour: number;
  neverMail: string[];
}

export const DEFAULT_POLICY: MailPolicy = { mode: 'nobody', delayMinutes: 0, maxPerHour: 20, neverMail: [] };

export function validatePolicy(p: Partial<MailPolicy>, source = 'mail policy'): MailPolicy {
  const out = { ...DEFAULT_POLICY, ...p };
  if (!['nobody', 'author', 'author+list'].includes(out.mode)) throw new ConfigError(`mode must be nobody, author or author+list, not ${String(out.mode)}`, source);
  if (!Number.isFinite(out.delayMinutes) || out.delayMinutes < 0) throw new ConfigError('delayMinutes must be a number >= 0', source);
  if (!Number.isInteger(out.maxPerHour) || out.maxPerHour < 0) throw new ConfigError('maxPerHour must be an integer >= 0', source);
  if (!Array.isArray(out.neverMail) || out.neverMail.some((a) => typeof a !== 'string')) throw new ConfigError('neverMail must be a list of addresses', source);
  return out;
}

/**
 * The envelope recipients of a reply under a policy: nobody; the author (To) only; or To and Cc.
 * Never-mail addresses are removed here as well as from the headers: the envelope is what counts.
 */
export function envelopeRecipients(reply: RenderedReply, policy: MailPolicy): string[] {
  if (policy.mode === 'nobody') return [];
  const people = policy.mode === 'author' ? reply.to : [...reply.to, ...reply.cc];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const a of people) {
    const key = a.address.toLowerCase();
    if (seen.has(key) || isNeverMail(a.address, policy.neverMail)) continue;
    seen.add(key);
    out.push(a.address);
  }
  return out;
}

/** When a reply queued at `queuedAt` may go out. */
export function notBefore(queuedAt: Date, policy: MailPolicy): Date {
  return new Date(queuedAt.getTime() + policy.delayMinutes * 60_000);
}

/**
 * The policy for the list a patch was posted to. `policies` is keyed by list address
 * ("bpf@vger.kernel.org"); a message belongs to a list when its List-Id names it
 * (<bpf.vger.kernel.org>) or the address is on its To or Cc. No match: nobody.
 */
export function selectPolicy(
  policies: Readonly<Record<string, MailPolicy>>,
  original: { to: { address: string }[]; cc: { address: string }[]; headers: Record<string, string> } | null,
): { list: string | null; policy: MailPolicy } {
  if (!original) return { list: null, policy: DEFAULT_POLICY };
  const listId = (original.headers['list-id'] ?? '').toLowerCase();
  const addrs = new Set([...original.to, ...original.cc].map((a) => a.address.toLowerCase()));
  for (const [list, policy] of Object.entries(policies)) {
    const l = list.toLowerCase();
    if (addrs.has(l) || (listId !== '' && listId.includes(`<${l.replace('@', '.')}>`))) return { list, policy };
  }
  return { list: null, policy: DEFAULT_POLICY };
}
