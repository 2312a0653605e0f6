/**
 * `bpf-review serve`: wires the daemon from a validated config: the store (SQLite), the outbox,
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
import { SqliteServiceStore, type ServiceStore } from '../store/service-store.js';
import { createMailSender, type MailSender } from '../publish/smtp/smtp-sender.js';
import { Daemon, type ReviewFn } from '../service/daemon.js';
import { mboxTailSource, maildirSource, publicInboxSource, type ServiceSource } from '../service/service-source.js';
import { createDashboard } from '../web/dashboard.js';
import type { ServeConfig } from './config.js';

export interface RunningService {
  daemon: Daemon;
  store: ServiceStore;
  /** The dashboard's address, when http is on. */
  url: string | null;
  stop(): Promise<void>;
}

export function sourcesOf(config: ServeConfig): ServiceSource[] {
  return config.sources.map((s) => (s.kind === 'public-inbox' ? publicInboxSource(s.name, s.path) : s.kind === 'mbox' ? mboxTailSource(s.name, s.path) : maildirSource(s.name, s.path)));
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

export interface StartOptions {
  log?: Logger;
  /** Replace the review function (tests). */
  review?: ReviewFn;
  sender?: MailSender;
  now?: () => Date;
}

export async function startService(config: ServeConfig, opts: StartOptions = {}): Promise<RunningService> {
  const log = opts.log ?? pino({ name: 'bpf-review', level: config.log.level }, pino.destination(2));
  if (!('sqlite' in config.store) || !config.store.sqlite) {
    throw new ConfigError('store.postgres: the daemon runs on SQLite in this version; PostgreSQL is not wired into serve yet', 'store');
  }
  const base = openStore(config.store.sqlite);
  base.migrate();
  const store = new SqliteServiceStore(base);
  const outbox = new Outbox(base, opts.now);
  const reviewer = opts.review ? { review: opts.review, close: async () => undefined } : await loadReview(config, log);
  const sender = opts.sender ?? createMailSender(config.mail.smtp, { send: config.mail.send });
  const daemon = new Daemon({
    store,
    outbox,
    sources: sourcesOf(config),
    review: reviewer.review,
    sender,
    mail: { from: config.mail.from, messageIdDomain: config.mail.messageIdDomain, ...(config.mail.reportUrl ? { reportUrl: config.mail.reportUrl } : {}), lists: config.mail.lists },
    completion: { waitMs: config.completion.waitMinutes * 60_000 },
    log,
    ...(opts.now ? { now: opts.now } : {}),
    pollMs: config.pollMs,
    batchSize: config.batchSize,
    windowMs: config.windowDays * 86_400_000,
    worker: `${hostname()}:${process.pid}`,
  });
  let server: ServerType | null = null;
  let url: string | null = null;
  if (config.http) {
    const app = createDashboard({
      store,
      status: () => ({ ...daemon.status, queueDepth: daemon.queueDepth() }),
      outboxCounts: () =>
        Object.fromEntries((base.db.prepare('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state').all() as { state: string; n: number }[]).map((r) => [r.state, r.n])),
    });
    const http = config.http;
    url = await new Promise<string>((resolve) => {
      server = serveHttp({ fetch: app.fetch, hostname: http.host, port: http.port }, (info) => resolve(`http://${http.host}:${info.port}`));
    });
    log.info({ url }, 'dashboard listening');
  }
  daemon.start();
  log.info({ sources: config.sources.map((s) => s.name), send: config.mail.send }, 'serving');
  return {
    daemon,
    store,
    url,
    async stop() {
      await daemon.stop();
      const srv = server as ServerType | null;
      if (srv) await new Promise<void>((r) => srv.close(() => r()));
      await reviewer.close();
      await store.close();
    },
  };
}
