/**
 * The outbox on PostgreSQL (PgOutbox) in a private PostgreSQL 15 cluster, with a real SMTP
 * server (smtp-server) on 127.0.0.1 playing the list: idempotent enqueue, a review and its
 * replies in one transaction, two deliverers over the same rows sending each reply once, a row
 * left in 'sending' by a crash resolved as on SQLite, and `serve` on PostgreSQL with mail.send
 * (a role all and a role worker process over one database) mailing each reply exactly once.
 * Skipped without the Debian PostgreSQL binaries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { validateServeConfig } from '../../src/app/config.js';
import { startService, type RunningService } from '../../src/app/serve.js';
import type { Finding, Series, SeriesReview } from '../../src/model/index.js';
import { deliverPending, queueReplies } from '../../src/publish/smtp/deliver-replies.js';
import { validatePolicy } from '../../src/publish/smtp/mail-policy.js';
import { SmtpSender } from '../../src/publish/smtp/smtp-sender.js';
import type { NewOutboxEntry } from '../../src/store/outbox.js';
import type { RenderedReply } from '../../src/report/email/render-replies.js';
import { PgOutbox } from '../../src/store/pg-outbox.js';
import { PgServiceStore } from '../../src/store/pg-service-store.js';
import { postgresAvailable, startPostgres, type PostgresServer } from '../support/servers/postgres.js';
import { startListSmtpServer } from './support/list-smtp-server.js';
import { mboxEntry, seriesMails } from './support/mail-stream.js';

const T0 = Date.UTC(2024, 5, 1, 12, 0, 0);
const policy = validatePolicy({ mode: 'author+list', maxPerHour: 1000 });
const sender = (port: number): SmtpSender => new SmtpSender({ host: '127.0.0.1', port, ignoreTLS: true, attempts: 1, backoffMs: 1 });

const entry = (i: number, over: Partial<NewOutboxEntry> = {}): NewOutboxEntry => ({
  messageId: `reply-${i}@review.example`,
  seriesId: `s${i}`,
  patch: 1,
  channel: 'smtp',
  payload: Buffer.from(`From: bot@review.example\r\nTo: dev@example.org\r\nMessage-ID: <reply-${i}@review.example>\r\nSubject: Re: [PATCH] x ${i}\r\n\r\nbody ${i}\r\n`),
  recipients: ['dev@example.org', 'bpf@vger.kernel.org'],
  inReplyTo: `patch-${i}@example.org`,
  fingerprints: [`fp${i}`],
  envelopeFrom: 'bot@review.example',
  ...over,
});

/** One warning per patch on its first added line. */
const review = async (series: Series): Promise<SeriesReview> => {
  const findings: Finding[] = [];
  for (const p of series.patches) {
    const f = p.files[0];
    const line = f?.hunks[0]?.lines.find((l) => l.kind === 'add');
    if (!f || !line) continue;
    findings.push({ ruleId: 'test-rule', severity: 'warning', patch: p.counter, messageId: p.messageId, file: f.newPath, line: line.newLine, message: `Look at ${line.text}`, fingerprint: `${series.id}|${p.counter}|${line.text}` });
  }
  return { seriesId: series.id, subject: series.subject, revision: series.revision, messageId: series.id, findings, notRun: [], errors: [] };
};

async function until(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

describe.skipIf(!postgresAvailable())('PgOutbox (PostgreSQL 15, real SMTP server)', () => {
  let server: PostgresServer;
  let dbs = 0;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(() => server?.stop());

  async function freshStore(now: () => Date = () => new Date(T0)): Promise<PgServiceStore> {
    const store = new PgServiceStore(server.createDatabase(`outbox_${++dbs}`), { now });
    expect(await store.migrate()).toEqual([1, 2]);
    return store;
  }

  it('enqueue is idempotent; the state machine is a compare-and-set on state and attempts', async () => {
    let clock = T0;
    const store = await freshStore(() => new Date(clock));
    try {
      const ob = store.outbox();
      expect(await ob.enqueue(entry(1))).toEqual({ inserted: true });
      expect(await ob.enqueue(entry(1, { payload: Buffer.from('other bytes') }))).toEqual({ inserted: false });
      const row = (await ob.get('reply-1@review.example'))!;
      expect(row).toMatchObject({ state: 'pending', attempts: 0, recipients: ['dev@example.org', 'bpf@vger.kernel.org'], fingerprints: ['fp1'], inReplyTo: 'patch-1@example.org', envelopeFrom: 'bot@review.example', sentAt: null });
      expect(row.payload.toString()).toContain('body 1');
      expect(row.createdAt.getTime()).toBe(T0);
      expect(await ob.saidTo('smtp', 'patch-1@example.org')).toEqual(new Set(['fp1']));
      // held back until not_before
      await ob.enqueue(entry(2, { notBefore: new Date(T0 + 60_000) }));
      expect((await ob.due('smtp')).map((e) => e.messageId)).toEqual(['reply-1@review.example']);
      clock += 60_000;
      expect((await ob.due('smtp')).map((e) => e.messageId)).toEqual(['reply-1@review.example', 'reply-2@review.example']);
      // claim: the first compare-and-set wins, a stale one loses
      expect(await ob.markSending(row)).toBe(true);
      expect(await ob.markSending(row)).toBe(false);
      expect((await ob.get(row.messageId))!).toMatchObject({ state: 'sending', attempts: 1 });
      await ob.markFailed(row.messageId, '451 later', false);
      expect((await ob.get(row.messageId))!).toMatchObject({ state: 'pending', attempts: 1, lastError: '451 later' });
      expect(await ob.markSending(row)).toBe(false); // still the attempts-0 view
      expect(await ob.markSending({ ...row, attempts: 1 })).toBe(true);
      await ob.markSent(row.messageId, '250 ok');
      expect((await ob.get(row.messageId))!).toMatchObject({ state: 'sent', serverResponse: '250 ok', lastError: null });
      expect(await ob.sentSince('smtp', new Date(T0))).toBe(1);
      await ob.markFailed('reply-2@review.example', '550 no', true);
      expect(await ob.saidTo('smtp', 'patch-2@example.org')).toEqual(new Set()); // failed: not said
      expect(await ob.counts()).toEqual({ sent: 1, failed: 1 });
      expect(await ob.due('smtp')).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('a review and its replies commit together, or not at all', async () => {
    const store = await freshStore();
    try {
      const rec = (h: string) => ({ seriesId: 's', revision: 1, contentHash: h, reason: 'complete' as const, missing: [], reviewedAt: new Date(T0), notRun: [], errors: [], findings: [] });
      await expect(
        store.recordReview(rec('h1'), async (tx) => {
          await tx!.enqueue(entry(1));
          throw new Error('crash before COMMIT');
        }),
      ).rejects.toThrow('crash before COMMIT');
      expect(await store.reviewCount()).toBe(0);
      expect(await store.outbox().get('reply-1@review.example')).toBeNull();
      let calls = 0;
      const hook = async (tx?: Parameters<NonNullable<Parameters<PgServiceStore['recordReview']>[1]>>[0]): Promise<void> => {
        calls++;
        await tx!.enqueue(entry(1));
        await tx!.enqueue(entry(2));
      };
      expect((await store.recordReview(rec('h2'), hook)).recorded).toBe(true);
      expect((await store.recordReview(rec('h2'), hook)).recorded).toBe(false); // same key: nothing runs
      expect(calls).toBe(1);
      expect((await store.outbox().all('smtp')).map((e) => e.messageId)).toEqual(['reply-1@review.example', 'reply-2@review.example']);
    } finally {
      await store.close();
    }
  });

  it('two deliverers in two pools over the same rows send each reply exactly once', { timeout: 30_000 }, async () => {
    const smtp = await startListSmtpServer(() => undefined, { acceptDelayMs: 20 });
    const a = await freshStore(() => new Date());
    const b = new PgServiceStore(server.url(`outbox_${dbs}`), { now: () => new Date() });
    try {
      const N = 16;
      for (let i = 0; i < N; i++) await a.outbox().enqueue(entry(i, { notBefore: new Date(T0) }));
      const sa = sender(smtp.port);
      const sb = sender(smtp.port);
      const [ra, rb] = await Promise.all([
        deliverPending(a.outbox(), sa, policy, { now: () => new Date() }),
        deliverPending(b.outbox(), sb, policy, { now: () => new Date() }),
      ]);
      sa.close();
      sb.close();
      const ids = smtp.received.map((r) => r.messageId);
      expect(ids).toHaveLength(N);
      expect(new Set(ids).size).toBe(N);
      expect([...ra.sent, ...rb.sent].sort()).toEqual([...ids].sort());
      expect(ra.sent.filter((id) => rb.sent.includes(id))).toEqual([]);
      expect(ra.sent.length).toBeGreaterThan(0); // both took a share
      expect(rb.sent.length).toBeGreaterThan(0);
      expect((await a.outbox().all('smtp')).every((e) => e.state === 'sent' && e.attempts === 1)).toBe(true);
    } finally {
      await b.close();
      await a.close();
      await smtp.close();
    }
  });

  it("a row left in 'sending' by a crash: untouched while its lease runs, then confirmed if the list has it, else resent once", { timeout: 30_000 }, async () => {
    const smtp = await startListSmtpServer();
    let clock = T0;
    const now = (): Date => new Date(clock);
    const store = await freshStore(now);
    try {
      const ob = new PgOutbox(store.pool, now, { sendingLeaseMs: 300_000 });
      for (const i of [1, 2]) {
        await ob.enqueue(entry(i));
        expect(await ob.markSending((await ob.get(`reply-${i}@review.example`))!)).toBe(true); // then the process died
      }
      const echoed = new Set(['reply-1@review.example']); // the list has 1 (it came back), not 2
      const s = sender(smtp.port);
      const opts = { now, alreadyDelivered: async (id: string) => echoed.has(id) };
      // another live deliverer: the claims are not taken from their holder within the lease
      expect(await deliverPending(ob, s, policy, opts)).toMatchObject({ sent: [], confirmed: [] });
      clock += 300_000;
      const report = await deliverPending(ob, s, policy, opts);
      s.close();
      expect(report).toMatchObject({ confirmed: ['reply-1@review.example'], sent: ['reply-2@review.example'], failed: [] });
      expect(smtp.received.map((r) => r.messageId)).toEqual(['reply-2@review.example']);
      expect(smtp.received[0]!.raw.toString()).toContain('body 2'); // the same bytes
      expect((await ob.get('reply-1@review.example'))!).toMatchObject({ state: 'sent', attempts: 1, serverResponse: 'confirmed delivered after restart' });
      expect((await ob.get('reply-2@review.example'))!).toMatchObject({ state: 'sent', attempts: 2 });
      expect(await ob.due('smtp')).toEqual([]);
    } finally {
      await store.close();
      await smtp.close();
    }
  });

  it('queueReplies and deliverPending take the asynchronous outbox as they take SQLite\'s', async () => {
    const store = await freshStore(() => new Date(T0));
    try {
      const ob = store.outbox();
      const raw = entry(5);
      const reply: RenderedReply = { messageId: raw.messageId, seriesId: 's5', patchCounter: 1, raw: raw.payload, inReplyTo: 'patch-5@example.org', references: ['patch-5@example.org'], subject: 'Re: x', date: new Date(T0), fingerprints: ['fp5'], from: { name: 'bot', address: 'bot@review.example' }, to: [{ name: '', address: 'dev@example.org' }], cc: [] };
      const first = await queueReplies(ob, [reply], policy, new Date(T0));
      expect(first).toMatchObject({ queued: [raw.messageId], duplicate: [] });
      expect(await queueReplies(ob, [reply], policy, new Date(T0))).toMatchObject({ queued: [], duplicate: [raw.messageId] });
      expect((await ob.get(raw.messageId))!.recipients).toContain('dev@example.org');
    } finally {
      await store.close();
    }
  });

  it('serve on PostgreSQL with mail.send: a role all and a role worker process mail each reply exactly once', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpf-review-pgmail-'));
    const smtp = await startListSmtpServer(() => undefined, { acceptDelayMs: 10 });
    const url = server.createDatabase('serve_mail');
    const SERIES = 4;
    for (let k = 1; k <= SERIES; k++) appendFileSync(join(dir, 'list.mbox'), Buffer.concat(seriesMails(k, 2).map((m) => mboxEntry(m.bytes))));
    const config = validateServeConfig(
      {
        store: { postgres: url },
        sources: [{ name: 'list', kind: 'mbox', path: 'list.mbox' }],
        pollMs: 100,
        completion: { waitMinutes: 0 },
        mail: { send: true, from: { name: 'bpf-review', address: 'bot@review.example' }, messageIdDomain: 'review.example', smtp: { host: '127.0.0.1', port: smtp.port, ignoreTLS: true, attempts: 1 }, lists: { 'bpf@vger.kernel.org': { mode: 'author+list', maxPerHour: 1000 } } },
      },
      dir,
    );
    const log = pino({ level: 'silent' });
    const services: RunningService[] = [];
    try {
      services.push(await startService(config, { review, log }));
      services.push(await startService(config, { role: 'worker', review, log }));
      const all = services[0]!;
      const count = async (): Promise<number> => (await (all.store as PgServiceStore).outbox().counts()).sent ?? 0;
      expect(await until(async () => (await count()) === SERIES * 2 && (await all.store.reviewCount()) === SERIES, 40_000)).toBe(true);
      await new Promise((r) => setTimeout(r, 500)); // a few more rounds of both deliverers: nothing more goes out
      const ids = smtp.received.map((r) => r.messageId);
      expect(ids).toHaveLength(SERIES * 2);
      expect(new Set(ids).size).toBe(SERIES * 2);
      expect(smtp.received.every((r) => r.to.includes('bpf@vger.kernel.org'))).toBe(true);
      const rows = await (all.store as PgServiceStore).outbox().all('smtp');
      expect(rows.map((r) => r.messageId).sort()).toEqual([...ids].sort());
      expect(rows.every((r) => r.state === 'sent' && r.attempts === 1)).toBe(true);
      // each review recorded once, by either process
      for (let k = 1; k <= SERIES; k++) expect(await all.store.reviews(`s${k}-v1-p0@example.org`)).toHaveLength(1);
    } finally {
      for (const s of services.reverse()) await s.stop();
      await smtp.close();
      rmSync(dir, { recursive: true, force: true });
    }
    // a restart on the same database sends nothing again (and plans nothing: no source)
    const smtp2 = await startListSmtpServer();
    const again = await startService({ ...config, mail: { ...config.mail, smtp: { host: '127.0.0.1', port: smtp2.port, ignoreTLS: true, attempts: 1 } }, sources: [] }, { review, log });
    try {
      await again.daemon.tick();
      await again.daemon.tick();
      expect(smtp2.received).toHaveLength(0);
    } finally {
      await again.stop();
      await smtp2.close();
    }
  });

  function mailConfig(url: string, dir: string, port: number) {
    return validateServeConfig(
      {
        store: { postgres: url },
        sources: [{ name: 'list', kind: 'mbox', path: 'list.mbox' }],
        pollMs: 100,
        completion: { waitMinutes: 0 },
        mail: { send: true, from: { name: 'bpf-review', address: 'bot@review.example' }, messageIdDomain: 'review.example', smtp: { host: '127.0.0.1', port, ignoreTLS: true, attempts: 1 }, lists: { 'bpf@vger.kernel.org': { mode: 'author+list', maxPerHour: 1000 } } },
      },
      dir,
    );
  }

  it('role ingest never mails; two role worker processes deliver, each reply once', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpf-review-pgmail-'));
    const smtp = await startListSmtpServer(() => undefined, { acceptDelayMs: 10 });
    const SERIES = 3;
    for (let k = 1; k <= SERIES; k++) appendFileSync(join(dir, 'list.mbox'), Buffer.concat(seriesMails(k, 3).map((m) => mboxEntry(m.bytes))));
    const config = mailConfig(server.createDatabase('serve_roles'), dir, smtp.port);
    const log = pino({ level: 'silent' });
    const services: RunningService[] = [];
    try {
      services.push(await startService(config, { role: 'ingest', review, log }));
      services.push(await startService(config, { role: 'worker', review, log }));
      services.push(await startService(config, { role: 'worker', review, log }));
      const ob = (services[0]!.store as PgServiceStore).outbox();
      expect(await until(async () => ((await ob.counts()).sent ?? 0) === SERIES * 3, 40_000)).toBe(true);
      await new Promise((r) => setTimeout(r, 500));
      const ids = smtp.received.map((r) => r.messageId);
      expect(ids).toHaveLength(SERIES * 3);
      expect(new Set(ids).size).toBe(SERIES * 3);
      expect((await ob.all('smtp')).every((r) => r.state === 'sent' && r.attempts === 1)).toBe(true);
    } finally {
      for (const s of services.reverse()) await s.stop();
      await smtp.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('backfill-planned jobs (mailReplies false) record reviews and queue no reply, even with mail.send', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpf-review-pgmail-'));
    const smtp = await startListSmtpServer();
    for (let k = 1; k <= 2; k++) appendFileSync(join(dir, 'list.mbox'), Buffer.concat(seriesMails(k, 2).map((m) => mboxEntry(m.bytes))));
    const config = mailConfig(server.createDatabase('backfill_mail'), dir, smtp.port);
    const log = pino({ level: 'silent' });
    const svc = await startService(config, { review, log, mailReplies: false, autostart: false, waitMs: 0 });
    try {
      await svc.daemon.tick();
      expect(await until(async () => (await svc.store.reviewCount()) === 2, 40_000)).toBe(true);
      await svc.daemon.tick();
      expect(await (svc.store as PgServiceStore).outbox().all()).toEqual([]);
      expect(smtp.received).toHaveLength(0);
    } finally {
      await svc.stop();
      await smtp.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
