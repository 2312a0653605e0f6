import type { Finding, Series, SeriesReview } from '../../model/index.js';
import type { RenderedReply } from '../../report/email/render-replies.js';
import type { NewOutboxEntry, Outbox } from '../../store/outbox.js';
import { isPromise, type ReplyOutbox } from '../../store/reply-outbox.js';
import { envelopeRecipients, notBefore, type MailPolicy } from './mail-policy.js';
import type { MailSender } from './smtp-sender.js';

export interface QueueResult {
  queued: string[];
  /** Already in the outbox (same Message-ID: same findings), not queued again. */
  duplicate: string[];
  skipped: { messageId: string; reason: string }[];
}

/** The outbox rows for the replies under the list's policy, and what the policy leaves out. */
function planReplies(replies: RenderedReply[], policy: MailPolicy, now: Date): { entries: NewOutboxEntry[]; skipped: QueueResult['skipped'] } {
  const entries: NewOutboxEntry[] = [];
  const skipped: QueueResult['skipped'] = [];
  for (const r of replies) {
    if (policy.mode === 'nobody') {
      skipped.push({ messageId: r.messageId, reason: 'policy: nobody' });
      continue;
    }
    const to = envelopeRecipients(r, policy);
    if (to.length === 0) {
      skipped.push({ messageId: r.messageId, reason: 'no recipient left after never-mail' });
      continue;
    }
    entries.push({
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
  }
  return { entries, skipped };
}

/**
 * Record replies in the outbox under the list's policy. Nothing is sent here. Synchronous on the
 * SQLite Outbox (so it can run inside a SQLite transaction), a promise on an asynchronous one.
 */
export function queueReplies(outbox: Outbox, replies: RenderedReply[], policy: MailPolicy, now: Date): QueueResult;
export function queueReplies(outbox: ReplyOutbox, replies: RenderedReply[], policy: MailPolicy, now: Date): QueueResult | Promise<QueueResult>;
export function queueReplies(outbox: ReplyOutbox, replies: RenderedReply[], policy: MailPolicy, now: Date): QueueResult | Promise<QueueResult> {
  const { entries, skipped } = planReplies(replies, policy, now);
  const result = (inserted: boolean[]): QueueResult => {
    const out: QueueResult = { queued: [], duplicate: [], skipped };
    entries.forEach((e, i) => (inserted[i] ? out.queued : out.duplicate).push(e.messageId));
    return out;
  };
  const sync: boolean[] = [];
  for (let i = 0; i < entries.length; i++) {
    const r = outbox.enqueue(entries[i]!);
    if (!isPromise(r)) {
      sync.push(r.inserted);
      continue;
    }
    // asynchronous outbox: the rest one after the other (one client, in order)
    return (async () => {
      const inserted = [...sync, (await r).inserted];
      for (const e of entries.slice(i + 1)) inserted.push((await outbox.enqueue(e)).inserted);
      return result(inserted);
    })();
  }
  return result(sync);
}

/**
 * The review without the findings already said on the list (queued or sent in answer to the
 * same message), so a re-review after new findings mails only what is new.
 */
export function withoutSaid(review: SeriesReview, series: Series, outbox: Outbox): SeriesReview;
export function withoutSaid(review: SeriesReview, series: Series, outbox: ReplyOutbox): SeriesReview | Promise<SeriesReview>;
export function withoutSaid(review: SeriesReview, series: Series, outbox: ReplyOutbox): SeriesReview | Promise<SeriesReview> {
  const answered = (f: Finding): string => {
    const p = series.patches.find((x) => x.counter === f.patch);
    if (p) return p.messageId;
    return series.cover?.messageId ?? series.patches[0]?.messageId ?? f.messageId;
  };
  const ids = [...new Set(review.findings.map(answered))];
  const filter = (said: Map<string, Set<string>>): SeriesReview => ({ ...review, findings: review.findings.filter((f) => !said.get(answered(f))?.has(f.fingerprint)) });
  const got = ids.map((id) => outbox.saidTo('smtp', id));
  if (!got.some(isPromise)) return filter(new Map(ids.map((id, i) => [id, got[i] as Set<string>])));
  return Promise.all(got).then((sets) => filter(new Map(ids.map((id, i) => [id, sets[i]!]))));
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
 * and our commit of 'sent' (one SQLite or PostgreSQL write), and only when the process dies inside it; the
 * duplicate carries the same Message-ID, which public-inbox (lore) and most MUAs collapse.
 * A message is never lost: every row ends 'sent' or, after maxAttempts or a 5xx, 'failed'.
 */
export async function deliverPending(outbox: ReplyOutbox, sender: MailSender, policy: MailPolicy, opts: DeliverOptions): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: [], confirmed: [], failed: [], deferred: [], dryRun: [] };
  if (policy.mode === 'nobody') return report;
  const maxAttempts = opts.maxAttempts ?? 8;
  const now = opts.now();
  let budget = policy.maxPerHour - (await outbox.sentSince('smtp', new Date(now.getTime() - 3_600_000)));
  for (const row of await outbox.due('smtp')) {
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
      await outbox.markSent(row.messageId, 'confirmed delivered after restart');
      report.confirmed.push(row.messageId);
      continue;
    }
    if (!(await outbox.markSending(row))) continue; // another deliverer has it
    const outcome = await sender.send(mail);
    if (outcome.ok) {
      await outbox.markSent(row.messageId, outcome.response);
      report.sent.push(row.messageId);
      budget--;
    } else {
      const permanent = outcome.permanent || row.attempts + 1 >= maxAttempts;
      await outbox.markFailed(row.messageId, outcome.error, permanent);
      report.failed.push({ messageId: row.messageId, error: outcome.error, permanent });
    }
  }
  return report;
}
