import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Finding, Series, SeriesReview } from '../../src/model/index.js';
import { openStore, Outbox, SqliteServiceStore, type Store } from '../../src/store/index.js';
import { SmtpSender } from '../../src/publish/smtp/smtp-sender.js';
import { validatePolicy } from '../../src/publish/smtp/mail-policy.js';
import { Daemon, type ReviewFn } from '../../src/service/daemon.js';
import { mboxTailSource } from '../../src/service/service-source.js';
import { startSmtpServer } from '../publish/support/smtp-test-server.js';
import { mboxEntry, seriesMails, type StreamMail } from './support/mail-stream.js';

const T0 = Date.UTC(2024, 5, 1, 12, 0, 0);

/** One warning per patch on its first added line (what the test review module does, in TS). */
const review: ReviewFn = async (series: Series): Promise<SeriesReview> => {
  const findings: Finding[] = [];
  for (const p of series.patches) {
    const f = p.files[0];
    const line = f?.hunks[0]?.lines.find((l) => l.kind === 'add');
    if (!f || !line) continue;
    findings.push({ ruleId: 'test-rule', severity: p.counter === 1 ? 'error' : 'warning', patch: p.counter, messageId: p.messageId, file: f.newPath, line: line.newLine, message: `Look at ${line.text}`, fingerprint: `${series.id}|${p.counter}|${line.text}` });
  }
  return { seriesId: series.id, subject: series.subject, revision: series.revision, messageId: series.id, findings, notRun: [], errors: [] };
};

describe('Daemon (in process, mbox source, real SMTP server)', () => {
  let dir: string;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let clock = T0;
  const now = (): Date => new Date(clock);
  const log = pino({ level: 'silent' });
  let base: Store;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bpf-review-daemon-'));
    smtp = await startSmtpServer();
    clock = T0;
  });
  afterEach(async () => {
    await smtp.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function daemon(reviewFn: ReviewFn = review): { d: Daemon; store: SqliteServiceStore; outbox: Outbox } {
    base = openStore(join(dir, 'store.sqlite'));
    base.migrate();
    const store = new SqliteServiceStore(base);
    const outbox = new Outbox(base, now);
    const d = new Daemon({
      store,
      outbox,
      sources: [mboxTailSource('list', join(dir, 'list.mbox'))],
      review: reviewFn,
      sender: new SmtpSender({ host: '127.0.0.1', port: smtp.port, ignoreTLS: true, attempts: 1, backoffMs: 1 }),
      mail: { from: { name: 'bpf-review', address: 'bot@review.example' }, messageIdDomain: 'review.example', lists: { 'bpf@vger.kernel.org': validatePolicy({ mode: 'author+list', maxPerHour: 1000 }) } },
      completion: { waitMs: 600_000 },
      log,
      now,
    });
    return { d, store, outbox };
  }
  const post = (mails: StreamMail[]): void => appendFileSync(join(dir, 'list.mbox'), Buffer.concat(mails.map((m) => mboxEntry(m.bytes))));
  const receivedIds = (): string[] => smtp.received.map((r) => /^Message-ID: <([^>]+)>/im.exec(r.raw.toString('utf8'))?.[1] ?? '?');

  it('reviews complete series once, waits for missing patches, reviews at the deadline and again when the late patch arrives', async () => {
    const { d, store, outbox } = daemon();
    post([...seriesMails(1, 2), ...seriesMails(2, 2), ...seriesMails(3, 3).filter((m) => m.counter !== 3)]);
    await d.tick();
    expect(await store.messageCount()).toBe(3 + 3 + 3);
    expect(await store.reviewCount()).toBe(2);
    expect((await store.series('s1-v1-p0@example.org'))?.state).toBe('errors-found');
    const s3 = await store.series('s3-v1-p0@example.org');
    expect(s3?.state).toBe('waiting');
    expect(s3?.missing).toEqual([3]);
    expect(smtp.received).toHaveLength(4); // two replies (one per patch) per series
    const toS1 = smtp.received.find((r) => r.to.includes('dev1@example.org'));
    expect(toS1?.to).toEqual(expect.arrayContaining(['dev1@example.org', 'bpf@vger.kernel.org', 'ast@kernel.org']));
    const findings = (await store.reviews('s1-v1-p0@example.org'))[0]!.findings;
    expect(findings.map((f) => [f.patch, f.quoted])).toEqual([
      [1, [' int a;', ' int b;', '+int c1_1_r1;']],
      [2, [' int a;', ' int b;', '+int c1_2_r1;']],
    ]);

    // nothing new: nothing happens
    await d.tick();
    expect(await store.reviewCount()).toBe(2);
    expect(smtp.received).toHaveLength(4);

    // past the deadline: reviewed with what there is, saying what is missing
    clock += 601_000;
    await d.tick();
    const r3 = await store.reviews('s3-v1-p0@example.org');
    expect(r3.map((r) => [r.reason, r.missing])).toEqual([['deadline', [3]]]);
    expect(r3[0]!.notRun.join(' ')).toMatch(/patches 3 of 3 had not arrived/);
    expect(smtp.received).toHaveLength(6);

    // the late patch: reviewed again; only what was not said before is mailed
    post(seriesMails(3, 3).filter((m) => m.counter === 3));
    clock += 1000;
    await d.tick();
    const again = await store.reviews('s3-v1-p0@example.org');
    expect(again.map((r) => [r.reason, r.missing])).toEqual([['deadline', [3]], ['complete', []]]);
    expect(smtp.received).toHaveLength(7);
    const last = smtp.received[6]!.raw.toString('utf8');
    expect(last).toMatch(/In-Reply-To: <s3-v1-p3@example.org>/);
    expect(outbox.all('smtp').every((e) => e.state === 'sent')).toBe(true);
    await d.stop();

    // a restart on the same store repeats nothing
    const again2 = daemon();
    await again2.d.tick();
    expect(await again2.store.reviewCount()).toBe(4);
    expect(smtp.received).toHaveLength(7);
    expect(new Set(receivedIds()).size).toBe(7);
    await again2.d.stop();
    base.close();
  });

  it('records a crashing review as review-failed once, and a new revision as a new series', async () => {
    let calls = 0;
    const { d, store } = daemon(async (s) => {
      calls++;
      if (s.revision === 1) throw new Error('boom');
      return review(s, { messages: new Map() });
    });
    post(seriesMails(7, 1));
    await d.tick();
    await d.tick();
    expect(calls).toBe(1);
    expect((await store.series('s7-v1-p0@example.org'))?.state).toBe('review-failed');
    expect((await store.reviews('s7-v1-p0@example.org'))[0]!.errors[0]!.code).toBe('review-crashed');
    post(seriesMails(7, 1, { revision: 2 }));
    await d.tick();
    const v2 = await store.series('s7-v2-p0@example.org');
    expect(v2?.revision).toBe(2);
    expect(v2?.previous).toBe('s7-v1-p0@example.org');
    expect(v2?.state).toBe('errors-found');
    expect(smtp.received).toHaveLength(1);
    await d.stop();
    base.close();
  });

  it('after a crash between "sending" and "sent", does not send again when the list has echoed the reply', async () => {
    const { d, store, outbox } = daemon();
    post(seriesMails(8, 1));
    // stop before delivery: review and queue only
    const sendNothing = { dryRun: false, send: async () => ({ ok: false as const, permanent: false, error: 'down', attempts: 1 }), close: () => undefined };
    (d as unknown as { deps: { sender: unknown } }).deps.sender = sendNothing;
    await d.tick();
    const row = outbox.all('smtp')[0]!;
    expect(row.state).toBe('pending');
    // simulate the crash window: marked sending, the list accepted and echoed it, no 'sent' mark
    expect(outbox.markSending(row)).toBe(true);
    post([{ messageId: row.messageId, series: 8, counter: 9, bytes: row.payload }]);
    await d.stop();
    const next = daemon();
    await next.d.tick();
    expect(next.outbox.get(row.messageId)?.state).toBe('sent');
    expect(next.outbox.get(row.messageId)?.serverResponse).toMatch(/confirmed/);
    expect(smtp.received).toHaveLength(0);
    expect(await store.hasMessage(row.messageId)).toBe(true);
    await next.d.stop();
    base.close();
  });
});
