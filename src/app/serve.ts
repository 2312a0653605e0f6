/**
 * `bpf-review serve`: wires the daemon from a validated config: the store (SQLite or PostgreSQL), the outbox,
 * the sources, the review function (the pipeline's reviewSeries by default), the mail sender
 * (dry run unless mail.send), the dashboard and the health endpoint, and pino logs.
 */
import { hostname } from 'node:os';
import { pathToFileURL } from 'node:url';
import { serve as serveHttp, type ServerType } from '@hono/node-server';
import { pino, type Logger } from 'pino';
import type { Message, Series, SeriesReview } from '../model/index.js';
import { ConfigError } from '../model/index.js';
import { openStore } from '../store/open-store.js';
import { Outbox } from '../store/outbox.js';
import type { ReplyOutbox } from '../store/reply-outbox.js';
import { startOutboxDelivery } from '../service/outbox-delivery.js';
import { SqliteServiceStore, type ServiceStore } from '../store/service-store.js';
import { PgServiceStore } from '../store/pg-service-store.js';
import { GraphileQueue, runReviewWorkers } from '../service/graphile-queue.js';
import type { Runner } from 'graphile-worker';
import { createMailSender, type MailSender } from '../publish/smtp/smtp-sender.js';
import { Daemon, type ReviewFn } from '../service/daemon.js';
import { mboxTailSource, maildirSource, publicInboxSource, type ServiceSource } from '../service/service-source.js';
import { createDashboard } from '../web/dashboard.js';
import { liveServiceSource } from '../service/live-adapter.js';
import { measureAgreement } from '../service/model-agreement.js';
import { ImapSource } from '../ingest/live/imap-source.js';
import type { LiveEvent } from '../ingest/live/live-source.js';
import type { ServeConfig } from './config.js';

export interface RunningService {
  daemon: Daemon;
  store: ServiceStore;
  /** PostgreSQL: the graphile-worker queue (null on SQLite). */
  queue: GraphileQueue | null;
  /** The dashboard's address, when http is on. */
  url: string | null;
  stop(): Promise<void>;
}

export function sourcesOf(config: ServeConfig, log: Logger): ServiceSource[] {
  return config.sources.map((s) => {
    if (s.kind === 'imap' && s.imap) {
      const imap = s.imap;
      const events = (e: LiveEvent): void => {
        const level = e.kind === 'fatal' ? 'error' : e.kind === 'retry' || e.kind === 'gap' || e.kind === 'reset' ? 'warn' : 'debug';
        log[level]({ source: e.source, event: e.kind, ...(e.error ? { error: e.error } : {}) }, e.message);
      };
      return liveServiceSource(s.name, 'imap', (cursor, l) => new ImapSource({ cursor, log: l, host: imap.host, port: imap.port, secure: imap.secure, user: imap.user, password: imap.password, mailbox: imap.mailbox }), events);
    }
    return s.kind === 'public-inbox' ? publicInboxSource(s.name, s.path) : s.kind === 'mbox' ? mboxTailSource(s.name, s.path) : maildirSource(s.name, s.path);
  });
}

/**
 * The review function: a module named in review.module (exporting reviewSeries), else the
 * pipeline's reviewSeries with the kernel tree of review.tree opened once.
 */
export async function loadReview(config: ServeConfig, log: Logger): Promise<{ review: ReviewFn; close(): Promise<void> }> {
  if (config.review.module) {
    const mod = (await import(pathToFileURL(config.review.module).href)) as { reviewSeries?: unknown };
    if (typeof mod.reviewSeries !== 'function') throw new ConfigError(`review.module: ${config.review.module} exports no reviewSeries function`, config.review.module);
    const fn = mod.reviewSeries as (s: Series, c: { messages: Map<string, Message> }) => Promise<SeriesReview>;
    return { review: (s, c) => fn(s, c), close: async () => undefined };
  }
  const { reviewSeries } = await import('../pipeline/review-series.js');
  const { openKernelTree } = await import('../kernel/kernel-tree.js');
  const tree = config.review.tree ? await openKernelTree(config.review.tree) : null;
  if (!tree) log.warn('no review.tree: series are reviewed from their diffs only');
  return { review: (s, c) => reviewSeries(s, { messages: c.messages, tree }), close: async () => void (await tree?.close()) };
}

export type ServiceRole = 'all' | 'ingest' | 'worker';

export interface StartOptions {
  /**
   * PostgreSQL only: 'all' (default) follows the sources, plans and reviews; 'ingest' follows
   * and plans, leaving the reviews to workers; 'worker' only takes review jobs.
   */
  role?: ServiceRole;
  /** Progress of ingest and reviews (backfill's progress bar). */
  progress?: import('../service/daemon.js').DaemonDeps['progress'];
  /** Do not queue replies (backfill: old mail is not answered). */
  mailReplies?: boolean;
  /** Override completion.waitMinutes (backfill: 0, everything is in). */
  waitMs?: number;
  /** Start the polling loop (default true); backfill drives daemon.tick() itself. */
  autostart?: boolean;
  log?: Logger;
  /** Replace the review function (tests). */
  review?: ReviewFn;
  sender?: MailSender;
  now?: () => Date;
}

export async function startService(config: ServeConfig, opts: StartOptions = {}): Promise<RunningService> {
  const log = opts.log ?? pino({ name: 'bpf-review', level: config.log.level }, pino.destination(2));
  const role = opts.role ?? 'all';
  const ingestOnly = role === 'ingest' && 'postgres' in config.store && !!config.store.postgres;
  const reviewer = opts.review
    ? { review: opts.review, close: async () => undefined }
    : ingestOnly
      ? { review: async (): Promise<never> => { throw new ConfigError('--role ingest does not review (the workers do)', 'role'); }, close: async () => undefined }
      : await loadReview(config, log);
  const worker = `${hostname()}:${process.pid}`;
  const mail = { from: config.mail.from, messageIdDomain: config.mail.messageIdDomain, ...(config.mail.reportUrl ? { reportUrl: config.mail.reportUrl } : {}), lists: config.mail.lists };
  let store: ServiceStore;
  let outbox: ReplyOutbox | null = null;
  let delivery: { stop(): Promise<void> } | null = null;
  let countsTimer: NodeJS.Timeout | null = null;
  let outboxCounts: () => Record<string, number> = () => ({});
  let queue: GraphileQueue | null = null;
  let workers: Runner | null = null;
  if ('postgres' in config.store && config.store.postgres) {
    const url = config.store.postgres;
    const pgStore = new PgServiceStore(url, { max: Math.max(4, config.review.concurrency + 2), ...(opts.now ? { now: opts.now } : {}) });
    await pgStore.migrate();
    store = pgStore;
    queue = await new GraphileQueue(url, log).init();
    // the outbox is in the same database: workers enqueue replies in the review's transaction,
    // and every process but an ingest-only one delivers (each row claimed by one of them)
    const ob = pgStore.outbox();
    outbox = ob;
    let cached: Record<string, number> = {};
    const refresh = (): void => void ob.counts().then((c) => (cached = c), () => undefined);
    refresh();
    countsTimer = setInterval(refresh, Math.max(1000, config.pollMs));
    countsTimer.unref();
    outboxCounts = () => cached;
    if (role !== 'ingest') {
      workers = await runReviewWorkers(url, config.review.concurrency, { store, outbox: ob, review: reviewer.review, mail, log, now: opts.now ?? (() => new Date()), worker }, { pollInterval: Math.min(1000, config.pollMs) });
    }
  } else {
    if (role !== 'all') throw new ConfigError(`--role ${role} needs store.postgres (SQLite reviews in the daemon's own process)`, 'store');
    const base = openStore(config.store.sqlite!);
    base.migrate();
    store = new SqliteServiceStore(base);
    const ob = new Outbox(base, opts.now);
    outbox = ob;
    outboxCounts = () => ob.counts();
  }
  const sender = opts.sender ?? createMailSender(config.mail.smtp, { send: config.mail.send && role !== 'ingest' });
  const gq = queue;
  const daemon = new Daemon({
    store,
    // an ingest-only process plans; the workers queue and deliver
    outbox: role === 'ingest' ? null : outbox,
    sources: role === 'worker' ? [] : sourcesOf(config, log),
    review: reviewer.review,
    sender,
    mail,
    completion: { waitMs: opts.waitMs ?? config.completion.waitMinutes * 60_000 },
    log,
    ...(opts.now ? { now: opts.now } : {}),
    pollMs: config.pollMs,
    batchSize: config.batchSize,
    windowMs: config.windowDays * 86_400_000,
    worker,
    ...(gq ? { queue: () => gq } : {}),
    ...(opts.progress ? { progress: opts.progress } : {}),
    ...(opts.mailReplies === false ? { mailReplies: false } : {}),
  });
  let server: ServerType | null = null;
  let url: string | null = null;
  if (config.http && role !== 'worker') {
    const app = createDashboard({
      store,
      status: () => ({ ...daemon.status, queueDepth: daemon.queueDepth() }),
      outboxCounts,
    });
    const http = config.http;
    url = await new Promise<string>((resolve) => {
      server = serveHttp({ fetch: app.fetch, hostname: http.host, port: http.port }, (info) => resolve(`http://${http.host}:${info.port}`));
    });
    log.info({ url }, 'dashboard listening');
  }
  if (role !== 'worker' && opts.autostart !== false) daemon.start();
  // a worker process has no daemon loop: it delivers the outbox on its own timer
  if (role === 'worker' && outbox && !sender.dryRun && opts.mailReplies !== false) {
    delivery = startOutboxDelivery({ outbox, sender, mail, store, log, now: opts.now ?? (() => new Date()) }, config.pollMs);
  }
  if (role !== 'worker' && config.review.tree) {
    // the dashboard's agreement chart: measured once per start, in the background
    const tree = config.review.tree;
    void measureAgreement(tree, (opts.now ?? (() => new Date()))())
      .then(async (a) => {
        if (a) await store.recordAgreement(a);
        log.info({ agreement: a }, a ? 'verifier model agreement recorded' : 'no graph selftests in the tree: no agreement figures');
      })
      .catch((err: unknown) => log.warn({ err }, 'verifier model agreement not measured'));
  }
  log.info({ role, sources: config.sources.map((s) => s.name), send: !sender.dryRun, store: 'postgres' in config.store ? 'postgres' : 'sqlite' }, 'serving');
  return {
    daemon,
    store,
    queue,
    url,
    async stop() {
      await delivery?.stop();
      await daemon.stop();
      if (countsTimer) clearInterval(countsTimer);
      await workers?.stop();
      await queue?.stop();
      const srv = server as ServerType | null;
      if (srv) await new Promise<void>((r) => srv.close(() => r()));
      await reviewer.close();
      await store.close();
    },
  };
}
