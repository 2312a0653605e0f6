/**
 * One review job, self-contained so any worker (this process, or a graphile-worker process on
 * another machine) can run it from the store alone: read the series' messages, assemble the
 * series again with whole messages, review it, and record the review, its findings and its
 * replies in one transaction under the unique review key.
 */
import type { Logger } from 'pino';
import type { Address, Message, Series, SeriesReview } from '../model/index.js';
import { parseMessage } from '../ingest/mail/parse-message.js';
import { assembleThreads } from '../ingest/thread/assemble-threads.js';
import { assembleSeries } from '../ingest/thread/assemble-series.js';
import { renderReplies } from '../report/email/render-replies.js';
import { queueReplies, withoutSaid } from '../publish/smtp/deliver-replies.js';
import { selectPolicy, type MailPolicy } from '../publish/smtp/mail-policy.js';
import type { ReplyOutbox } from '../store/reply-outbox.js';
import { BugError } from '../model/index.js';
import type { SeriesRow, SeriesState, ServiceStore, StoredFinding } from '../store/service-store.js';
import type { ReviewJob } from './job-queue.js';
import { quotedLines } from './quoted-lines.js';

export type ReviewFn = (series: Series, ctx: { messages: Map<string, Message> }) => Promise<SeriesReview>;

export interface MailSettings {
  from: Address;
  messageIdDomain: string;
  reportUrl?: string;
  /** Per list address; a series posted to no listed list gets no mail. */
  lists: Record<string, MailPolicy>;
}

/** Everything a worker needs to review a series without the planner's memory. */
export interface FullReviewJob extends ReviewJob {
  /** Cover and patches, and the replies to them (for the review's context and reply threading). */
  messageIds: string[];
  patchIds: string[];
  reason: 'complete' | 'deadline';
  firstSeen: string;
  deadline: string;
  previous: string | null;
  partialReroll: boolean;
  /** false: record the review, queue no reply (the planner was a backfill: old mail is not answered). */
  mail?: boolean;
}

export interface ReviewRunnerDeps {
  store: ServiceStore;
  /** null: nothing is mailed (backfill). SQLite's Outbox or PostgreSQL's PgOutbox. */
  outbox: ReplyOutbox | null;
  review: ReviewFn;
  mail: MailSettings;
  log: Logger;
  now: () => Date;
  worker?: string;
}

export type ReviewOutcome = { recorded: false } | { recorded: true; state: SeriesState; findings: number; queued: number };

const overlap = (s: Series, ids: Set<string>): number => s.patches.filter((p) => ids.has(p.messageId)).length;

/** The series with whole messages (bodies, hunks), read again from the store. */
export async function loadFullSeries(store: ServiceStore, job: FullReviewJob): Promise<{ series: Series | null; messages: Map<string, Message> }> {
  const stored = await store.messagesByIds(job.messageIds);
  const messages = new Map<string, Message>();
  for (const s of stored.values()) {
    const r = await parseMessage({ source: s.origin, bytes: s.raw });
    if (r.ok) messages.set(r.value.messageId, r.value);
  }
  const list = [...messages.values()];
  const sub = assembleSeries(list, assembleThreads(list)).series;
  const patchIds = new Set(job.patchIds);
  const same = sub.find((s) => s.id === job.seriesId) ?? [...sub].sort((x, y) => overlap(y, patchIds) - overlap(x, patchIds))[0];
  if (!same) return { series: null, messages };
  return { series: { ...same, id: job.seriesId, previous: job.previous, partialReroll: job.partialReroll }, messages };
}

export function stateOf(review: SeriesReview): SeriesState {
  if (review.errors.some((x) => x.code === 'patch-does-not-apply')) return 'does-not-apply';
  if (review.errors.some((x) => x.code === 'review-crashed')) return 'review-failed';
  if (review.findings.some((f) => f.severity === 'error')) return 'errors-found';
  return 'reviewed';
}

export function seriesRowOf(s: Series, state: SeriesState, contentHash: string, firstSeen: Date, deadline: Date, now: Date): SeriesRow {
  return {
    id: s.id,
    subject: s.subject,
    title: s.title,
    revision: s.revision,
    total: s.total,
    author: s.author ? (s.author.name ? `${s.author.name} <${s.author.address}>` : s.author.address) : null,
    state,
    missing: s.missing,
    firstSeen,
    deadline,
    contentHash,
    previous: s.previous,
    updatedAt: now,
  };
}

export async function runReviewJob(deps: ReviewRunnerDeps, job: FullReviewJob): Promise<ReviewOutcome> {
  const log = deps.log.child({ series: job.seriesId, revision: job.revision });
  const { series, messages } = await loadFullSeries(deps.store, job);
  if (!series) {
    log.warn('the series could not be assembled again from the store; skipped');
    return { recorded: false };
  }
  const now = deps.now();
  let review: SeriesReview;
  try {
    review = await deps.review(series, { messages });
  } catch (err) {
    log.error({ err }, 'review crashed');
    review = { seriesId: series.id, subject: series.subject, revision: series.revision, messageId: series.id, findings: [], notRun: [], errors: [{ code: 'review-crashed', message: err instanceof Error ? err.message : String(err) }] };
  }
  if (job.reason === 'deadline' && series.missing.length > 0 && !review.notRun.some((n) => /missing|not arrived/.test(n))) {
    review = { ...review, notRun: [...review.notRun, `patches ${series.missing.join(', ')} of ${series.total} had not arrived by the deadline`] };
  }
  const findings: StoredFinding[] = review.findings.map((f) => ({ ...f, quoted: quotedLines(series, f) }));
  const first = series.cover ? messages.get(series.cover.messageId) : messages.get(series.patches[0]?.messageId ?? '');
  const { policy, list } = selectPolicy(deps.mail.lists, first ?? null);
  const outbox = job.mail === false ? null : deps.outbox;
  const fresh = outbox ? await withoutSaid(review, series, outbox) : review;
  const replies = outbox && policy.mode !== 'nobody' && fresh.findings.length > 0
    ? renderReplies(series, fresh, {
        messages,
        from: deps.mail.from,
        date: now,
        messageIdDomain: deps.mail.messageIdDomain,
        ...(deps.mail.reportUrl ? { reportUrl: `${deps.mail.reportUrl.replace(/\/$/, '')}/series/${encodeURIComponent(series.id)}` } : {}),
        recipients: policy.mode === 'author' ? 'author' : 'author+list',
        neverMail: policy.neverMail,
      })
    : [];
  let queued = 0;
  const state = stateOf(review);
  const res = await deps.store.recordReview(
    { seriesId: series.id, revision: series.revision, contentHash: job.contentHash, reason: job.reason, missing: series.missing, reviewedAt: now, notRun: review.notRun, errors: review.errors, findings, ...(deps.worker ? { worker: deps.worker } : {}) },
    outbox
      ? (txOutbox) => {
          // PostgreSQL hands an outbox bound to the review's transaction; SQLite's Outbox shares
          // the connection, so its synchronous writes join the open transaction
          if (txOutbox) return Promise.resolve(queueReplies(txOutbox, replies, policy, now)).then((q) => void (queued = q.queued.length));
          const q = queueReplies(outbox, replies, policy, now);
          if (q instanceof Promise) throw new BugError('runReviewJob: an asynchronous outbox without a transaction outbox from the store');
          queued = q.queued.length;
        }
      : undefined,
  );
  if (!res.recorded) return { recorded: false };
  await deps.store.saveSeries([seriesRowOf(series, state, job.contentHash, new Date(job.firstSeen), new Date(job.deadline), now)]);
  for (const f of findings) log.info({ rule: f.ruleId, messageId: f.messageId, patch: f.patch }, f.message.split('\n')[0] ?? '');
  log.info({ reason: job.reason, findings: findings.length, queued, list, state }, 'series reviewed');
  return { recorded: true, state, findings: findings.length, queued };
}
