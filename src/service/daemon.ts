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
import type { Message, Series } from '../model/index.js';
import { parseMessage, synthesiseMessageId } from '../ingest/mail/parse-message.js';
import { factsOf } from '../ingest/thread/facts-of.js';
import { assembleThreads } from '../ingest/thread/assemble-threads.js';
import { assembleSeries, type MailRole } from '../ingest/thread/assemble-series.js';
import type { MailFacts } from '../ingest/thread/mail-facts.js';
import { Interner, compactMail } from '../ingest/pipeline/compact-mail.js';
import type { DeliveryReport } from '../publish/smtp/deliver-replies.js';
import type { MailSender } from '../publish/smtp/smtp-sender.js';
import type { ReplyOutbox } from '../store/reply-outbox.js';
import { deliverOutbox } from './outbox-delivery.js';
import { reviewKey, type NewMessage, type SeriesRow, type SeriesState, type ServiceStore } from '../store/service-store.js';
import { planCompletion, type CompletionEntry, type CompletionPolicy } from './series-completion.js';
import { InProcessQueue, type JobQueue, type ReviewJob } from './job-queue.js';
import type { ServiceSource } from './service-source.js';
import type { WakingSource } from './live-adapter.js';
import { runReviewJob, seriesRowOf, type FullReviewJob, type MailSettings, type ReviewFn } from './review-runner.js';

export type { ReviewFn, MailSettings } from './review-runner.js';

export type Progress =
  | { phase: 'ingest'; source: string; stored: number; read: number }
  | { phase: 'review'; done: number; queued: number };

export interface DaemonDeps {
  store: ServiceStore;
  /** null: nothing is mailed (backfill). SQLite's Outbox or PostgreSQL's PgOutbox. */
  outbox: ReplyOutbox | null;
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
  /**
   * Make a job queue around the review runner (default: in process). A queue that runs jobs
   * elsewhere (graphile-worker) gets the full job, which carries all a worker needs.
   */
  queue?: (run: (job: ReviewJob) => Promise<void>) => JobQueue;
  /** null: nothing is queued for mail (backfill). Default: the outbox given. */
  mailReplies?: boolean;
  progress?: (p: Progress) => void;
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

export class Daemon {
  private readonly now: () => Date;
  private readonly facts = new Map<string, MailFacts & Message>();
  private readonly seenAt = new Map<string, Date>();
  private readonly ids = new Interner();
  private reviewed = new Set<string>();
  private readonly entries = new Map<string, CompletionEntry>();
  private readonly saved = new Map<string, string>();
  private readonly roles = new Map<string, string>();
  private reviewsDone = 0;
  private readonly queue: JobQueue;
  private dirty = true;
  private loaded = false;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = false;
  private started = false;
  private kickPending = false;
  private nextDeadline: Date | null = null;
  readonly status: DaemonStatus;

  constructor(private readonly deps: DaemonDeps) {
    this.now = deps.now ?? (() => new Date());
    this.queue = (deps.queue ?? ((run) => new InProcessQueue(run, (job, err) => this.jobFailed(job, err))))((job) => this.runJob(job));
    for (const s of deps.sources) (s as Partial<WakingSource>).onWake?.(() => this.kick());
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

  /** Tick soon (a live source has mail), without waiting for the poll interval. */
  private kick(): void {
    if (!this.started || this.stopped) return;
    if (this.ticking) {
      this.kickPending = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.loop(), 0);
  }

  private async loop(): Promise<void> {
    if (this.stopped) return;
    this.timer = null;
    try {
      await this.tick();
    } catch (err) {
      this.status.lastError = err instanceof Error ? err.message : String(err);
      this.deps.log.error({ err }, 'tick failed');
    }
    const again = this.kickPending;
    this.kickPending = false;
    if (!this.stopped) this.timer = setTimeout(() => void this.loop(), again ? 0 : (this.deps.pollMs ?? 500));
  }

  /** Poll, plan, review and deliver until stop(). */
  start(): void {
    this.started = true;
    void this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
    for (const s of this.deps.sources) await (s as Partial<WakingSource>).stop?.();
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
      let read = 0;
      let stored = 0;
      for await (const batch of src.poll(cursor, this.deps.batchSize ?? 200)) {
        const now = this.now();
        const rows: NewMessage[] = [];
        const parsedById = new Map<string, Message>();
        for (const raw of batch.messages) {
          const parsed = await parseMessage(raw);
          const messageId = parsed.ok ? parsed.value.messageId : synthesiseMessageId(raw.bytes);
          if (parsed.ok) {
            if (!parsedById.has(messageId)) parsedById.set(messageId, parsed.value); // the first copy is the stored one
          } else this.deps.log.warn({ source: src.name, origin: raw.source, messageId, reason: parsed.error.message }, 'unreadable message kept as is');
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
        read += rows.length;
        stored += inserted.size;
        this.deps.progress?.({ phase: 'ingest', source: src.name, stored, read });
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
    // messages older than the window leave memory (they stay in the store)
    const oldest = now.getTime() - (this.deps.windowMs ?? 30 * 86_400_000);
    for (const [id, at] of this.seenAt) {
      if (at.getTime() >= oldest) continue;
      this.seenAt.delete(id);
      this.facts.delete(id);
      this.roles.delete(id);
    }
    // reviews recorded by workers elsewhere (graphile-worker) are known only to the store
    if (this.deps.queue) this.reviewed = await this.deps.store.reviewedKeys();
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
          rows.push(seriesRowOf(e.series, state, e.contentHash, e.firstSeen, e.deadline, now));
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
    if (this.queue.addMany && plan.ready.length >= 20) await this.queue.addMany(plan.ready.map((e) => this.fullJob(e)));
    else for (const e of plan.ready) await this.queue.add(this.fullJob(e));
  }

  /** The job a worker needs for a planned series: ids, reason and times. */
  fullJob(e: CompletionEntry): FullReviewJob {
    const s = e.series;
    const ids = new Set<string>([...(s.cover ? [s.cover.messageId] : []), ...s.coverReplies]);
    for (const p of s.patches) {
      ids.add(p.messageId);
      for (const r of p.replies) ids.add(r);
    }
    return {
      seriesId: s.id,
      revision: s.revision,
      contentHash: e.contentHash,
      messageIds: [...ids],
      patchIds: s.patches.map((p) => p.messageId),
      reason: e.readiness.kind === 'ready' ? e.readiness.reason : 'complete',
      firstSeen: e.firstSeen.toISOString(),
      deadline: e.deadline.toISOString(),
      previous: s.previous,
      partialReroll: s.partialReroll,
      // workers elsewhere (graphile-worker) mail the replies unless the planner says not to
      ...(this.deps.mailReplies === false ? { mail: false } : {}),
    };
  }

  /** Review one series revision and record it with its replies (one transaction). */
  private async runJob(job: ReviewJob): Promise<void> {
    const key = reviewKey(job.seriesId, job.revision, job.contentHash);
    if (this.reviewed.has(key)) return;
    const e = this.entries.get(job.seriesId);
    if (!e || e.contentHash !== job.contentHash) return; // changed since: a newer job follows
    const out = await runReviewJob(
      {
        store: this.deps.store,
        outbox: this.deps.mailReplies === false ? null : this.deps.outbox,
        review: this.deps.review,
        mail: this.deps.mail,
        log: this.deps.log,
        now: this.now,
        ...(this.deps.worker ? { worker: this.deps.worker } : {}),
      },
      this.fullJob(e),
    );
    this.reviewed.add(key);
    this.reviewsDone++;
    this.deps.progress?.({ phase: 'review', done: this.reviewsDone, queued: this.reviewsDone + this.queue.depth() - 1 });
    if (out.recorded) this.saved.set(job.seriesId, `${out.state}:${job.contentHash}`);
  }

  private jobFailed(job: ReviewJob, err: unknown): void {
    this.status.lastError = err instanceof Error ? err.message : String(err);
    this.deps.log.error({ series: job.seriesId, err }, 'review job failed; retried on the next plan');
    this.dirty = true;
  }

  private async deliver(): Promise<void> {
    // dry run: rows stay 'pending' in the outbox (the dashboard shows them); nothing is sent
    const outbox = this.deps.outbox;
    if (!outbox || this.deps.mailReplies === false) return;
    const report = await deliverOutbox({ outbox, sender: this.deps.sender, mail: this.deps.mail, store: this.deps.store, log: this.deps.log, now: this.now });
    if (report && report.sent.length + report.confirmed.length + report.failed.length + report.dryRun.length > 0) this.status.lastDelivery = report;
  }

  queueDepth(): number {
    return this.queue.depth();
  }
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
