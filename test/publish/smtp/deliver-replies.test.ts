import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { renderReplies, type RenderContext, type RenderedReply } from '../../../src/report/email/index.js';
import { SmtpSender, DryRunSender, deliverPending, queueReplies, validatePolicy, withoutSaid, type MailPolicy, type MailSender } from '../../../src/publish/smtp/index.js';
import { openStore, Outbox, type Store } from '../../../src/store/index.js';
import { BOT, finding, patchOf, reviewOf, seriesOf } from '../support/build-series.js';
import { fixtureMessage } from '../support/fixture-patch.js';
import { startSmtpServer } from '../support/smtp-test-server.js';

const msg = fixtureMessage();
const base = patchOf(msg);
const ctx: RenderContext = { messages: new Map([[msg.messageId, msg]]), from: BOT, date: new Date(Date.UTC(2024, 0, 1, 12)), messageIdDomain: 'bpf-review.example' };

/** n distinct replies (n one-patch series), each with one finding. */
function replies(n: number): RenderedReply[] {
  return Array.from({ length: n }, (_, i) => {
    const m = { ...msg, messageId: `p${i}@example.org` };
    const p = { ...base, counter: 1, messageId: m.messageId };
    const s = seriesOf([p]);
    const f = finding({ ruleId: 'r', severity: 'error', patch: 1, messageId: m.messageId, file: 'include/linux/btf.h', line: 13, message: `Point ${i}.`, fingerprint: `fp${i}` });
    return renderReplies(s, reviewOf(s, [f]), { ...ctx, messages: new Map([[m.messageId, m]]) })[0]!;
  });
}

const open: { close(): Promise<void> }[] = [];
const stores: Store[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function newStore(path = ':memory:'): Store {
  const s = openStore(path);
  s.migrate();
  stores.push(s);
  return s;
}

const policy = (p: Partial<MailPolicy> = {}): MailPolicy => validatePolicy({ mode: 'author+list', maxPerHour: 100, ...p });
let clock = new Date(Date.UTC(2024, 0, 1, 12));
const now = (): Date => clock;
const noSleep: number[] = [];
const sleep = async (ms: number): Promise<void> => {
  noSleep.push(ms);
};

async function server(behaviour?: Parameters<typeof startSmtpServer>[0]) {
  const s = await startSmtpServer(behaviour);
  open.push(s);
  return s;
}
function sender(port: number, attempts = 4): SmtpSender {
  return new SmtpSender({ host: '127.0.0.1', port, ignoreTLS: true, attempts, backoffMs: 5, timeoutMs: 5000 }, sleep);
}

describe('SMTP delivery through the outbox', () => {
  it('delivers the exact rendered bytes, threaded, to the recipients the policy allows', async () => {
    clock = new Date(Date.UTC(2024, 0, 1, 12));
    const srv = await server();
    const outbox = new Outbox(newStore(), now);
    const [r] = replies(1);
    expect(queueReplies(outbox, [r!], policy({ neverMail: ['@example.net'] }), clock).queued).toEqual([r!.messageId]);
    const s = sender(srv.port);
    const rep = await deliverPending(outbox, s, policy(), { now });
    s.close();
    expect(rep.sent).toEqual([r!.messageId]);
    expect(srv.received).toHaveLength(1);
    const got = srv.received[0]!;
    expect(got.raw.equals(r!.raw)).toBe(true);
    expect(got.from).toBe('bpf-review@bpf-review.example');
    expect(got.to).toEqual(['jane@example.org', 'bpf@vger.kernel.org', 'ast@kernel.org']);
    const parsed = await simpleParser(got.raw);
    expect(parsed.inReplyTo).toBe('<p0@example.org>');
    expect(parsed.references).toEqual([`<${msg.references[0]}>`, '<p0@example.org>']);
    expect(outbox.get(r!.messageId)!.state).toBe('sent');
    expect(outbox.get(r!.messageId)!.serverResponse).toMatch(/^250/);
  });

  it('sends the author only under the author policy, nothing under nobody, nothing in a dry run', async () => {
    const srv = await server();
    const outbox = new Outbox(newStore(), now);
    const [a, b] = replies(2);
    expect(queueReplies(outbox, [a!], policy({ mode: 'nobody' }), clock).skipped[0]!.reason).toBe('policy: nobody');
    queueReplies(outbox, [a!], policy({ mode: 'author' }), clock);
    const dry = new DryRunSender();
    const dryRep = await deliverPending(outbox, dry, policy({ mode: 'author' }), { now });
    expect(dryRep.dryRun).toEqual([a!.messageId]);
    expect(dry.wouldSend[0]!.envelope.to).toEqual(['jane@example.org']);
    expect(outbox.get(a!.messageId)!.state).toBe('pending');
    const s = sender(srv.port);
    await deliverPending(outbox, s, policy({ mode: 'author' }), { now });
    s.close();
    expect(srv.received.map((x) => x.to)).toEqual([['jane@example.org']]);
    expect(queueReplies(outbox, [b!], policy({ neverMail: ['jane@example.org', 'bpf@vger.kernel.org', 'ast@kernel.org', 'quiet@example.net'] }), clock).skipped[0]!.reason).toMatch(/never-mail/);
  });

  it('holds replies for the delay and caps replies per hour', async () => {
    clock = new Date(Date.UTC(2024, 0, 1, 12));
    const srv = await server();
    const outbox = new Outbox(newStore(), now);
    const p = policy({ delayMinutes: 30, maxPerHour: 2 });
    queueReplies(outbox, replies(3), p, clock);
    const s = sender(srv.port);
    expect((await deliverPending(outbox, s, p, { now })).sent).toEqual([]);
    clock = new Date(clock.getTime() + 31 * 60_000);
    const first = await deliverPending(outbox, s, p, { now });
    expect(first.sent).toHaveLength(2);
    expect(first.deferred).toHaveLength(1);
    clock = new Date(clock.getTime() + 30 * 60_000);
    expect((await deliverPending(outbox, s, p, { now })).sent).toHaveLength(0);
    clock = new Date(clock.getTime() + 31 * 60_000);
    expect((await deliverPending(outbox, s, p, { now })).sent).toHaveLength(1);
    s.close();
    expect(srv.received).toHaveLength(3);
  });

  it('retries a 451 with backoff and delivers once', async () => {
    noSleep.length = 0;
    const srv = await server((n) => (n < 2 ? 'tempfail' : 'accept'));
    const outbox = new Outbox(newStore(), now);
    const [r] = replies(1);
    queueReplies(outbox, [r!], policy(), clock);
    const s = sender(srv.port);
    const rep = await deliverPending(outbox, s, policy(), { now });
    s.close();
    expect(rep.sent).toEqual([r!.messageId]);
    expect(srv.dataCount()).toBe(3);
    expect(srv.received).toHaveLength(1);
    expect(noSleep).toEqual([5, 10]);
  });

  it('a connection cut mid-DATA is retried; the outbox ends with exactly one delivery', async () => {
    const srv = await server((n) => (n === 0 ? 'drop' : 'accept'));
    const outbox = new Outbox(newStore(), now);
    const [r] = replies(1);
    queueReplies(outbox, [r!], policy(), clock);
    const s = sender(srv.port);
    const rep = await deliverPending(outbox, s, policy(), { now });
    s.close();
    expect(rep.sent).toEqual([r!.messageId]);
    expect(srv.received).toHaveLength(1);
    expect(srv.received[0]!.raw.equals(r!.raw)).toBe(true);
    expect(outbox.all('smtp').map((e) => e.state)).toEqual(['sent']);
  });

  it('a 550 fails for good; transient failures stay pending for the next run', async () => {
    const srv = await server(() => 'reject');
    const outbox = new Outbox(newStore(), now);
    const [r] = replies(1);
    queueReplies(outbox, [r!], policy(), clock);
    const s = sender(srv.port);
    const rep = await deliverPending(outbox, s, policy(), { now });
    expect(rep.failed[0]!.permanent).toBe(true);
    expect(outbox.get(r!.messageId)!.state).toBe('failed');
    const down = await server(() => 'tempfail');
    const outbox2 = new Outbox(newStore(), now);
    queueReplies(outbox2, [r!], policy(), clock);
    const s2 = sender(down.port, 2);
    const rep2 = await deliverPending(outbox2, s2, policy(), { now });
    s.close();
    s2.close();
    expect(rep2.failed[0]!.permanent).toBe(false);
    expect(outbox2.get(r!.messageId)!.state).toBe('pending');
    expect(outbox2.get(r!.messageId)!.lastError).toMatch(/try again later/);
  });

  it('re-queueing the same reply is a no-op and a sent reply is never sent again', async () => {
    const srv = await server();
    const outbox = new Outbox(newStore(), now);
    const [r] = replies(1);
    queueReplies(outbox, [r!], policy(), clock);
    expect(queueReplies(outbox, [r!], policy(), clock).duplicate).toEqual([r!.messageId]);
    const s = sender(srv.port);
    await deliverPending(outbox, s, policy(), { now });
    queueReplies(outbox, [r!], policy(), clock);
    await deliverPending(outbox, s, policy(), { now });
    s.close();
    expect(srv.received).toHaveLength(1);
  });

  it('a re-review mails only the points not already said in answer to that patch', () => {
    const outbox = new Outbox(newStore(), now);
    const m = { ...msg, messageId: 'again@example.org' };
    const p = { ...base, counter: 1, messageId: m.messageId };
    const s = seriesOf([p]);
    const old = finding({ ruleId: 'r', severity: 'error', patch: 1, messageId: m.messageId, file: 'include/linux/btf.h', line: 13, message: 'Old point.', fingerprint: 'old' });
    const fresh = finding({ ruleId: 'r2', severity: 'warning', patch: 1, messageId: m.messageId, file: 'kernel/bpf/helpers.c', line: 204, message: 'New point?', fingerprint: 'new' });
    const c = { ...ctx, messages: new Map([[m.messageId, m]]) };
    queueReplies(outbox, renderReplies(s, reviewOf(s, [old]), c), policy(), clock);
    expect(outbox.saidTo('smtp', m.messageId)).toEqual(new Set(['old']));
    const again = withoutSaid(reviewOf(s, [old, fresh]), s, outbox);
    expect(again.findings.map((f) => f.fingerprint)).toEqual(['new']);
    const [r] = renderReplies(s, again, c);
    expect(r!.raw.toString()).toContain('New point?');
    expect(r!.raw.toString()).not.toContain('Old point.');
  });

  describe('after a crash', () => {
    it('a row left pending or sending before the server saw it is delivered once after restart', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'bpf-review-outbox-'));
      dirs.push(dir);
      const path = join(dir, 'store.sqlite');
      const [a, b] = replies(2);
      const before = openStore(path);
      before.migrate();
      const ob = new Outbox(before, now);
      queueReplies(ob, [a!, b!], policy(), clock);
      expect(ob.markSending(ob.get(b!.messageId)!)).toBe(true); // died after recording 'sending', before connecting
      expect(ob.markSending({ ...ob.get(b!.messageId)!, attempts: 0 })).toBe(false); // a stale claim loses
      before.close();

      const srv = await server();
      const outbox = new Outbox(newStore(path), now);
      expect(outbox.all().map((e) => e.state).sort()).toEqual(['pending', 'sending']);
      const s = sender(srv.port);
      const rep = await deliverPending(outbox, s, policy(), { now, alreadyDelivered: async (id) => srv.received.some((m) => m.raw.includes(`<${id}>`)) });
      s.close();
      expect(rep.sent.sort()).toEqual([a!.messageId, b!.messageId].sort());
      expect(srv.received).toHaveLength(2);
      expect(outbox.all().map((e) => e.state)).toEqual(['sent', 'sent']);
    });

    it('a row the server accepted just before the crash is not sent twice when the archive confirms it', async () => {
      const srv = await server();
      const store = newStore();
      const [r] = replies(1);
      const outbox = new Outbox(store, now);
      queueReplies(outbox, [r!], policy(), clock);
      const real = sender(srv.port);
      // a sender that delivers and then "dies" before deliverPending can record 'sent'
      const crashing: MailSender = {
        dryRun: false,
        async send(m) {
          await real.send(m);
          throw new Error('process killed');
        },
        close() {},
      };
      await expect(deliverPending(outbox, crashing, policy(), { now })).rejects.toThrow('process killed');
      expect(outbox.get(r!.messageId)!.state).toBe('sending');
      const archive = async (id: string): Promise<boolean> => srv.received.some((m) => m.raw.includes(`Message-ID: <${id}>`));
      const rep = await deliverPending(new Outbox(store, now), real, policy(), { now, alreadyDelivered: archive });
      real.close();
      expect(rep.confirmed).toEqual([r!.messageId]);
      expect(srv.received).toHaveLength(1);
      expect(outbox.get(r!.messageId)!.state).toBe('sent');
    });

    it('without a way to confirm, it is resent once with the same Message-ID (the documented window)', async () => {
      const srv = await server();
      const store = newStore();
      const [r] = replies(1);
      const outbox = new Outbox(store, now);
      queueReplies(outbox, [r!], policy(), clock);
      const real = sender(srv.port);
      const crashing: MailSender = { dryRun: false, async send(m) { await real.send(m); throw new Error('killed'); }, close() {} };
      await expect(deliverPending(outbox, crashing, policy(), { now })).rejects.toThrow('killed');
      await deliverPending(outbox, real, policy(), { now });
      await deliverPending(outbox, real, policy(), { now });
      real.close();
      expect(srv.received).toHaveLength(2);
      expect(srv.received[0]!.raw.equals(srv.received[1]!.raw)).toBe(true);
      expect(outbox.get(r!.messageId)!.attempts).toBe(2);
    });
  });
});
