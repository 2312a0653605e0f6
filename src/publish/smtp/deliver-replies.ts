import type { Finding, Series, SeriesReview } from '../../model/index.js';
import type { RenderedReply } from '../../report/email/render-replies.js';
import type { Outbox } from '../../store/outbox.js';
import { envelopeRecipients, notBefore, type MailPolicy } from './mail-policy.js';
import type { MailSender } from './smtp-sender.js';

export interface QueueResult {
  queued: string[];
  /** Already in the outbox (same Message-ID: same findings), not queued again. */
  duplicate: string[];
  skipped: { messageId: string; reason: string }[];
}

/** Record replies in the outbox under the list's policy. Nothing is sent here. */
export function queueReplies(outbox: Outbox, replies: RenderedReply[], policy: MailPolicy, now: Date): QueueResult {
  const out: QueueResult = { queued: [], duplicate: [], skipped: [] };
  for (const r of replies) {
    if (policy.mode === 'nobody') {
      out.skipped.push({ messageId: r.messageId, reason: 'policy: nobody' });
      continue;
    }
    const to = envelopeRecipients(r, policy);
    if (to.length === 0) {
      out.skipped.push({ messageId: r.messageId, reason: 'no recipient left after never-mail' });
      continue;
    }
    const { inserted } = outbox.enqueue({
      messageId: r.messageId,
      seriesId: r.seriesId,
      patch: r.patchCounter,
      channel: 'smtp',
      payload: r.raw,
      recipients: to,
      inReplyTo: r.inReplyTo,
      fingerprints: r.fingerprints,
      envelopeFrom: r.from.address,
      notBefore: notBefore(now, policy),
    });
    (inserted ? out.queued : out.duplicate).push(r.messageId);
  }
  return out;
}

/**
 * The review without the findings already said on the list (queued or sent in answer to the
 * same message), so a re-review after new findings mails only what is new.
 */
export function withoutSaid(review: SeriesReview, series: Series, outbox: Outbox): SeriesReview {
  const answered = (f: Finding): string => {
    const p = series.patches.find((x) => x.counter === f.patch);
    if (p) return p.messageId;
    return series.cover?.messageId ?? series.patches[0]?.messageId ?? f.messageId;
  };
  const said = new Map<string, Set<string>>();
  const saidTo = (id: string): Set<string> => {
    let s = said.get(id);
    if (!s) said.set(id, (s = outbox.saidTo('smtp', id)));
    return s;
  };
  return { ...review, findings: review.findings.filter((f) => !saidTo(answered(f)).has(f.fingerprint)) };
}

export interface DeliveryReport {
  sent: string[];
  /** Found already delivered after a crash (see alreadyDelivered); not sent again. */
  confirmed: string[];
  failed: { messageId: string; error: string; permanent: boolean }[];
  deferred: { messageId: string; reason: string }[];
  dryRun: string[];
}

export interface DeliverOptions {
  now: () => Date;
  /** After this many attempts a transiently failing message is given up (default 8). */
  maxAttempts?: number;
  /**
   * Asked for a row left in 'sending' by a crash: true when the message is known to have
   * reached the list (e.g. its Message-ID is in the list archive), so it is not sent again.
   */
  alreadyDelivered?: (messageId: string) => Promise<boolean>;
}

/**
 * Send what is due, oldest first, within the per-hour cap.
 *
 * Order of writes: the row is marked 'sending' (committed) before the bytes go out and 'sent'
 * only after the server answered 250. A row found in 'sending' at start-up means the process
 * died in between: the server may or may not have taken it. SMTP has no idempotency key, so
 * such a row is resent with the same bytes and the same Message-ID, unless `alreadyDelivered`
 * says it arrived. The window for a duplicate is therefore the time between the server's 250
 * and our commit of 'sent' (one SQLite write), and only when the process dies inside it; the
 * duplicate carries the same Message-ID, which public-inbox (lore) and most MUAs collapse.
 * A message is never lost: every row ends 'sent' or, after maxAttempts or a 5xx, 'failed'.
 */
export async function deliverPending(outbox: Outbox, sender: MailSender, policy: MailPolicy, opts: DeliverOptions): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: [], confirmed: [], failed: [], deferred: [], dryRun: [] };
  if (policy.mode === 'nobody') return report;
  const maxAttempts = opts.maxAttempts ?? 8;
  const now = opts.now();
  let budget = policy.maxPerHour - outbox.sentSince('smtp', new Date(now.getTime() - 3_600_000));
  for (const row of outbox.due('smtp')) {
    if (budget <= 0) {
      report.deferred.push({ messageId: row.messageId, reason: `cap of ${policy.maxPerHour} replies per hour reached` });
      continue;
    }
    const mail = { messageId: row.messageId, envelope: { from: row.envelopeFrom, to: row.recipients }, raw: row.payload };
    if (sender.dryRun) {
      await sender.send(mail);
      report.dryRun.push(row.messageId);
      continue;
    }
    if (row.state === 'sending' && opts.alreadyDelivered && (await opts.alreadyDelivered(row.messageId))) {
      outbox.markSent(row.messageId, 'confirmed delivered after restart');
      report.confirmed.push(row.messageId);
      continue;
    }
    if (!outbox.markSending(row)) continue; // another deliverer has it
    const outcome = await sender.send(mail);
    if (outcome.ok) {
      outbox.markSent(row.messageId, outcome.response);
      report.sent.push(row.messageId);
      budget--;
    } else {
      const permanent = outcome.permanent || row.attempts + 1 >= maxAttempts;
      outbox.markFailed(row.messageId, outcome.error, permanent);
      report.failed.push({ messageId: row.messageId, error: outcome.error, permanent });
    }
  }
  return report;
}
