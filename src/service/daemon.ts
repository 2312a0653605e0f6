/**
 * The daemon: follow the sources, keep every message in the store, review each series once when
 * it is complete (or at its deadline), queue the replies in the outbox in the same transaction as
 * the review, and deliver after the commit. Every step is derived from the store, so a restart
 * after a crash (kill -9 anywhere) goes on where the last commit left it:
 *
 * 1. ingest: a source batch and its cursor are one transaction (messages deduplicated by
 *    Message-ID), so a batch is never half stored and never skipped;
 * 2. plan: series are assembled from the stored messages; a series is ready when complete or past
 *    its deadline and has no review under its key (series id, revision, member hash);
 * 3. review: pure and deterministic; its record, its findings and its outbox rows are one
 *    transaction (the unique review key makes a second run a no-op); reply Message-IDs are
 *    hashes of their content, so a re-run after a crash renders the same ids;
 * 4. deliver: the outbox's sending/sent protocol (src/publish/README.md). A row left 'sending' by
 *    a crash is confirmed when its Message-ID has come back from the list into the store.
 */
import type { Logger } from 'pino';
import type { Address, Message, Series, SeriesReview } from '../model/index.js';
import { parseMessage, synthesiseMessageId } from '../ingest/mail/parse-message.js';
import { factsOf } from '../ingest/thread/facts-of.js';
import { assembleThreads } from '../ingest/thread/assemble-threads.js';
import { assembleSeries, type MailRole } from '../ingest/thread/assemble-series.js';
import type { MailFacts } from '../ingest/thread/mail-facts.js';
import { Interner, compactMail } from '../ingest/pipeline/compact-mail.js';
import { renderReplies } from '../report/email/render-replies.js';
import { queueReplies, deliverPending, withoutSaid, type DeliveryReport } from '../publish/smtp/deliver-replies.js';
import { selectPolicy, DEFAULT_POLICY, type MailPolicy } from '../publish/smtp/mail-policy.js';
import type { MailSender } from '../publish/smtp/smtp-sender.js';
import type { Outbox } from '../store/outbox.js';
import { reviewKey, type NewMessage, type SeriesRow, type SeriesState, type ServiceStore, type StoredFinding } from '../store/service-store.js';
import { planCompletion, type CompletionEntry, type CompletionPolicy } from './series-completion.js';
import { InProcessQueue, type JobQueue, type ReviewJob } from './job-queue.js';
import { quotedLines } from './quoted-lines.js';
import type { ServiceSource } from './service-source.js';

export type ReviewFn = (series: Series, ctx: { messages: Map<string, Message> }) => Promise<SeriesReview>;

export interface MailSettings {
  from: Address;
  messageIdDomain: string;
  reportUrl?: string;
  /** Per list address; a series posted to no listed list gets no mail. */
  lists: Record<string, MailPolicy>;
}

export interface DaemonDeps {
  store: ServiceStore;
  outbox: Outbox;
  sources: readonly ServiceSource[];
  /** The review of one series (default in `serve`: the pipeline's reviewSeries). */
  review: ReviewFn;
  sender: MailSender;
  mail: MailSettings;
  completion: CompletionPolicy;
  log: Logger;
  now?: () => Date;
  /** Poll interval (ms) of the sources. */
  pollMs?: number;
  /** Messages per ingest transaction. */
  batchSize?: number;
  /** Only messages received within this window are assembled (default 30 days). */
  windowMs?: number;
  /** Make a job queue around the daemon's review runner (default: in process). */
  queue?: (run: (job: ReviewJob) => Promise<void>) => JobQueue;
  /** Name recorded with each review (host:pid). */
  worker?: string;
}

export interface SourceStatus {
  name: string;
  kind: string;
  lastPollAt: Date | null;
  lastError: string | null;
}

export interface DaemonStatus {
  startedAt: Date;
  ticks: number;
  messages: number;
  series: number;
  waiting: number;
  queueDepth: number;
  sources: SourceStatus[];
  lastDelivery: DeliveryReport | null;
  lastError: string | null;
}

const SEVERE = new Set(['error']);

export class Daemon {
  private readonly now: () => Date;
  private readonly facts = new Map<string, MailFacts & Message>();
  private readonly seenAt = new Map<string, Date>();
  private readonly ids = new Interner();
  private reviewed = new Set<string>();
  private readonly entries = new Map<string, CompletionEntry>();
  private readonly saved = new Map<string, string>();
  private readonly roles = new Map<string, string>();
  private readonly queue: JobQueue;
  private dirty = true;
  private loaded = false;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = false;
  private nextDeadline: Date | null = null;
  readonly status: DaemonStatus;

  constructor(private readonly deps: DaemonDeps) {
    this.now = deps.now ?? (() => new Date());
    this.queue = (deps.queue ?? ((run) => new InProcessQueue(run, (job, err) => this.jobFailed(job, err))))((job) => this.runJob(job));
    this.status = {
      startedAt: this.now(),
      ticks: 0,
      messages: 0,
      series: 0,
      waiting: 0,
      queueDepth: 0,
      sources: deps.sources.map((s) => ({ name: s.name, kind: s.kind, lastPollAt: null, lastError: null })),
      lastDelivery: null,
      lastError: null,
    };
  }

  /** Poll, plan, review and deliver until stop(). */
  start(): void {
    const loop = async (): Promise<void> => {
      if (this.stopped) return;
      try {
        await this.tick();
      } catch (err) {
        this.status.lastError = err instanceof Error ? err.message : String(err);
        this.deps.log.error({ err }, 'tick failed');
      }
      if (!this.stopped) this.timer = setTimeout(() => void loop(), this.deps.pollMs ?? 500);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
    await this.queue.stop();
    this.deps.sender.close();
  }

  /** One round: ingest what is new, plan, run the reviews that are ready, deliver. */
  async tick(): Promise<void> {
    while (this.ticking) await this.ticking;
    this.ticking = this.round().finally(() => (this.ticking = null));
    return this.ticking;
  }

  private async round(): Promise<void> {
    if (!this.loaded) await this.load();
    for (const s of this.deps.sources) await this.ingestSource(s);
    const now = this.now();
    if (this.dirty || (this.nextDeadline && now >= this.nextDeadline)) await this.plan(now);
    await this.queue.drain();
    await this.deliver();
    this.status.ticks++;
    this.status.queueDepth = this.queue.depth();
  }

  /** The messages of the window and the review keys, from the store (at start-up). */
  private async load(): Promise<void> {
    const since = new Date(this.now().getTime() - (this.deps.windowMs ?? 30 * 86_400_000));
    for await (const m of this.deps.store.messages(since)) {
      const parsed = await parseMessage({ source: m.origin, bytes: m.raw });
      if (parsed.ok) this.remember(parsed.value, m.receivedAt);
    }
    this.reviewed = await this.deps.store.reviewedKeys();
    this.status.messages = await this.deps.store.messageCount();
    this.loaded = true;
    this.dirty = true;
    this.deps.log.info({ messages: this.facts.size, reviews: this.reviewed.size }, 'loaded the store');
  }

  private remember(m: Message, at: Date): void {
    if (this.facts.has(m.messageId)) return;
    this.facts.set(m.messageId, compactMail(factsOf(m), m, this.ids));
    this.seenAt.set(m.messageId, at);
  }

  private async ingestSource(src: ServiceSource): Promise<void> {
    const st = this.status.sources.find((x) => x.name === src.name)!;
    try {
      const cursor = await this.deps.store.cursor(src.name);
      for await (const batch of src.poll(cursor, this.deps.batchSize ?? 200)) {
        const now = this.now();
        const rows: NewMessage[] = [];
        const parsedById = new Map<string, Message>();
        for (const raw of batch.messages) {
          const parsed = await parseMessage(raw);
          const messageId = parsed.ok ? parsed.value.messageId : synthesiseMessageId(raw.bytes);
          if (parsed.ok) parsedById.set(messageId, parsed.value);
          else this.deps.log.warn({ source: src.name, origin: raw.source, messageId, reason: parsed.error.message }, 'unreadable message kept as is');
          rows.push({ messageId, origin: raw.source, raw: raw.bytes });
        }
        const inserted = new Set(await this.deps.store.addMessages(src.name, rows, batch.cursor, now));
        for (const id of inserted) {
          const m = parsedById.get(id);
          if (m) this.remember(m, now);
          this.deps.log.debug({ source: src.name, messageId: id }, 'message stored');
        }
        if (inserted.size > 0) {
          this.dirty = true;
          this.status.messages += inserted.size;
        }
      }
      st.lastPollAt = this.now();
      st.lastError = null;
    } catch (err) {
      st.lastError = err instanceof Error ? err.message : String(err);
      this.deps.log.error({ source: src.name, err }, 'source failed');
    }
  }

  private async plan(now: Date): Promise<void> {
    this.dirty = false;
    const facts = [...this.facts.values()];
    const threads = assembleThreads(facts);
    const a = assembleSeries(facts, threads);
    const plan = planCompletion(a.series, (id) => this.seenAt.get(id), this.reviewed, now, this.deps.completion);
    this.nextDeadline = plan.nextDeadline;
    this.entries.clear();
    const rows: SeriesRow[] = [];
    for (const e of plan.entries) {
      this.entries.set(e.series.id, e);
      if (e.readiness.kind === 'waiting') {
        const sig = `waiting:${e.contentHash}`;
        if (this.saved.get(e.series.id) !== sig) {
          const existing = await this.deps.store.series(e.series.id);
          // a reviewed series waiting for a late patch keeps its reviewed state until re-reviewed
          const state: SeriesState = existing && existing.state !== 'waiting' ? existing.state : 'waiting';
          rows.push(seriesRow(e, state, now));
          this.saved.set(e.series.id, sig);
        }
      }
    }
    if (rows.length > 0) await this.deps.store.saveSeries(rows);
    const changed = rolesOf(a.roles, a.series).filter((r) => this.seenAt.has(r.messageId) && this.roles.get(r.messageId) !== `${r.role}\u0000${r.seriesId ?? ''}`);
    await this.deps.store.setRoles(changed);
    for (const r of changed) this.roles.set(r.messageId, `${r.role}\u0000${r.seriesId ?? ''}`);
    this.status.series = plan.entries.length;
    this.status.waiting = plan.waiting.length;
    for (const e of plan.ready) await this.queue.add({ seriesId: e.series.id, revision: e.series.revision, contentHash: e.contentHash });
  }

  /** Review one series revision and record it with its replies (one transaction). */
  private async runJob(job: ReviewJob): Promise<void> {
    const key = reviewKey(job.seriesId, job.revision, job.contentHash);
    if (this.reviewed.has(key)) return;
    const e = this.entries.get(job.seriesId);
    if (!e || e.contentHash !== job.contentHash) return; // changed since: a newer job follows
    const log = this.deps.log.child({ series: job.seriesId, revision: job.revision });
    const { series, messages } = await this.fullSeries(e.series);
    const now = this.now();
    let review: SeriesReview;
    try {
      review = await this.deps.review(series, { messages });
    } catch (err) {
      log.error({ err }, 'review crashed');
      review = { seriesId: series.id, subject: series.subject, revision: series.revision, messageId: series.id, findings: [], notRun: [], errors: [{ code: 'review-crashed', message: err instanceof Error ? err.message : String(err) }] };
    }
    const reason = e.readiness.kind === 'ready' ? e.readiness.reason : 'complete';
    if (reason === 'deadline' && series.missing.length > 0 && !review.notRun.some((n) => /missing/.test(n))) {
      review = { ...review, notRun: [...review.notRun, `patches ${series.missing.join(', ')} of ${series.total} had not arrived by the deadline`] };
    }
    const findings: StoredFinding[] = review.findings.map((f) => ({ ...f, quoted: quotedLines(series, f) }));
    const first = series.cover ? messages.get(series.cover.messageId) : messages.get(series.patches[0]?.messageId ?? '');
    const { policy, list } = selectPolicy(this.deps.mail.lists, first ?? null);
    const fresh = withoutSaid(review, series, this.deps.outbox);
    const replies = fresh.findings.length > 0
      ? renderReplies(series, fresh, {
          messages,
          from: this.deps.mail.from,
          date: now,
          messageIdDomain: this.deps.mail.messageIdDomain,
          ...(this.deps.mail.reportUrl ? { reportUrl: `${this.deps.mail.reportUrl.replace(/\/$/, '')}/series/${encodeURIComponent(series.id)}` } : {}),
          recipients: policy.mode === 'author' ? 'author' : 'author+list',
          neverMail: policy.neverMail,
        })
      : [];
    let queued: string[] = [];
    const state: SeriesState = review.errors.some((x) => x.code === 'patch-does-not-apply')
      ? 'does-not-apply'
      : review.errors.some((x) => x.code === 'review-crashed')
        ? 'review-failed'
        : findings.some((f) => SEVERE.has(f.severity))
          ? 'errors-found'
          : 'reviewed';
    const res = await this.deps.store.recordReview(
      { seriesId: series.id, revision: series.revision, contentHash: e.contentHash, reason, missing: series.missing, reviewedAt: now, notRun: review.notRun, errors: review.errors, findings, ...(this.deps.worker ? { worker: this.deps.worker } : {}) },
      () => {
        queued = queueReplies(this.deps.outbox, replies, policy, now).queued;
      },
    );
    this.reviewed.add(key);
    if (!res.recorded) return;
    await this.deps.store.saveSeries([seriesRow(e, state, now)]);
    this.saved.set(series.id, `${state}:${e.contentHash}`);
    for (const f of findings) log.info({ rule: f.ruleId, messageId: f.messageId, patch: f.patch }, f.message.split('\n')[0] ?? '');
    log.info({ reason, findings: findings.length, queued: queued.length, list, state }, 'series reviewed');
  }

  private jobFailed(job: ReviewJob, err: unknown): void {
    this.status.lastError = err instanceof Error ? err.message : String(err);
    this.deps.log.error({ series: job.seriesId, err }, 'review job failed; retried on the next plan');
    this.dirty = true;
  }

  /** The series with whole messages (bodies, hunks), read again from the store. */
  private async fullSeries(compact: Series): Promise<{ series: Series; messages: Map<string, Message> }> {
    const ids = new Set<string>([...(compact.cover ? [compact.cover.messageId] : []), ...compact.coverReplies]);
    for (const p of compact.patches) {
      ids.add(p.messageId);
      for (const r of p.replies) ids.add(r);
    }
    const stored = await this.deps.store.messagesByIds([...ids]);
    const messages = new Map<string, Message>();
    for (const s of stored.values()) {
      const r = await parseMessage({ source: s.origin, bytes: s.raw });
      if (r.ok) messages.set(r.value.messageId, r.value);
    }
    const list = [...messages.values()];
    const sub = assembleSeries(list, assembleThreads(list)).series;
    const patchIds = new Set(compact.patches.map((p) => p.messageId));
    const same = sub.find((s) => s.id === compact.id) ?? [...sub].sort((x, y) => overlap(y, patchIds) - overlap(x, patchIds))[0];
    if (!same) return { series: compact, messages };
    return { series: { ...same, id: compact.id, previous: compact.previous, partialReroll: compact.partialReroll }, messages };
  }

  private async deliver(): Promise<void> {
    const lists = Object.values(this.deps.mail.lists);
    const active = lists.filter((p) => p.mode !== 'nobody');
    // dry run: rows stay 'pending' in the outbox (the dashboard shows them); nothing is sent
    if (active.length === 0 || this.deps.sender.dryRun) return;
    const policy: MailPolicy = { ...DEFAULT_POLICY, mode: 'author+list', maxPerHour: Math.max(...active.map((p) => p.maxPerHour)) };
    const report = await deliverPending(this.deps.outbox, this.deps.sender, policy, {
      now: this.now,
      alreadyDelivered: (id) => this.deps.store.hasMessage(id),
    });
    for (const id of report.sent) this.deps.log.info({ messageId: id }, 'reply sent');
    for (const id of report.confirmed) this.deps.log.info({ messageId: id }, 'reply found delivered after a restart');
    for (const f of report.failed) this.deps.log.warn({ messageId: f.messageId, error: f.error, permanent: f.permanent }, 'reply not sent');
    if (report.sent.length + report.confirmed.length + report.failed.length + report.dryRun.length > 0) this.status.lastDelivery = report;
  }

  queueDepth(): number {
    return this.queue.depth();
  }
}

function overlap(s: Series, ids: Set<string>): number {
  return s.patches.filter((p) => ids.has(p.messageId)).length;
}

function seriesRow(e: CompletionEntry, state: SeriesState, now: Date): SeriesRow {
  const s = e.series;
  return {
    id: s.id,
    subject: s.subject,
    title: s.title,
    revision: s.revision,
    total: s.total,
    author: s.author ? (s.author.name ? `${s.author.name} <${s.author.address}>` : s.author.address) : null,
    state,
    missing: s.missing,
    firstSeen: e.firstSeen,
    deadline: e.deadline,
    contentHash: e.contentHash,
    previous: s.previous,
    updatedAt: now,
  };
}

function rolesOf(roles: Map<string, MailRole>, series: readonly Series[]): { messageId: string; role: string; seriesId: string | null }[] {
  const seriesOf = new Map<string, string>();
  for (const s of series) {
    if (s.cover) seriesOf.set(s.cover.messageId, s.id);
    for (const p of s.patches) {
      seriesOf.set(p.messageId, s.id);
      for (const r of p.replies) seriesOf.set(r, s.id);
    }
    for (const r of s.coverReplies) seriesOf.set(r, s.id);
  }
  return [...roles].map(([messageId, role]) => ({ messageId, role, seriesId: seriesOf.get(messageId) ?? null }));
}
