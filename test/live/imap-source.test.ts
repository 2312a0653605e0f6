import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapSource, formatImapCursor, parseImapCursor } from '../../src/ingest/live/imap-source.js';
import { LiveSourceConfigError } from '../../src/ingest/live/errors.js';
import { messageIdOf } from '../../src/ingest/live/received-time.js';
import { hasDovecot, startDovecot, type DovecotServer } from '../support/servers/index.js';
import { listMessages, syntheticMessage } from './fixtures/messages.js';
import { Recorder } from './fixtures/recorder.js';
import { waitFor } from './fixtures/wait.js';

const describeServers = hasDovecot ? describe : describe.skip;

describeServers(hasDovecot ? 'ImapSource against Dovecot' : 'ImapSource (skipped: dovecot-imapd is not installed)', () => {
  let dv: DovecotServer;
  let first: Buffer[];
  let total = 0; // messages in the mailbox
  const append = async (m: Buffer): Promise<number> => {
    const uid = await dv.append(m);
    total += 1;
    return uid;
  };
  const sources: ImapSource[] = [];
  const make = (o: Partial<ConstructorParameters<typeof ImapSource>[0]> & { cursor: string | null }, rec: Recorder): ImapSource => {
    const s = new ImapSource({
      host: dv.host,
      port: dv.port,
      user: dv.user,
      password: dv.password,
      autoIdleDelayMs: 50,
      pollIntervalMs: 60_000, // only IDLE can deliver within the test's deadlines
      backoff: { initialMs: 50, maxMs: 300 },
      log: rec.log,
      ...o,
    });
    sources.push(s);
    return s;
  };

  beforeAll(async () => {
    dv = await startDovecot();
    first = await listMessages(3);
    for (const m of first) await append(m);
  });

  afterAll(async () => {
    for (const s of sources) await s.stop();
    await dv?.stop();
  });

  it('delivers the mailbox, then new mail through IDLE within a second, each once', async () => {
    const rec = new Recorder();
    const src = make({ cursor: null }, rec);
    await src.start(rec.onMessages);
    await waitFor(() => rec.delivered().length === first.length, 10_000, 'the mailbox');
    expect(rec.delivered()).toEqual(first.map((m) => messageIdOf(m)!));
    await new Promise((r) => setTimeout(r, 200)); // IDLE begins after autoIdleDelay
    const latencies: number[] = [];
    for (let i = 0; i < 3; i++) {
      const m = syntheticMessage({ subject: `idle ${i}` });
      const uid = await append(m);
      const at = Date.now();
      await waitFor(() => rec.has(messageIdOf(m)!), 1000, `message ${i} through IDLE within 1 s`);
      latencies.push(rec.firstSeen.get(messageIdOf(m)!)! - at);
      expect(parseImapCursor(rec.cursor!).uid).toBe(uid);
    }
    await src.stop();
    expect(rec.duplicates()).toEqual([]);
    expect(Math.max(...latencies)).toBeLessThan(1000);
    console.info(`IMAP IDLE delivery latency (ms): ${latencies.join(', ')}`);
  });

  it('a dropped connection (doveadm kick) and a server restart: reconnects with backoff, delivers the rest exactly once', async () => {
    const rec = new Recorder();
    const src = make({ cursor: null }, rec);
    await src.start(rec.onMessages);
    const existing = () => rec.delivered().length;
    await waitFor(() => existing() === total, 10_000, 'the mailbox');
    const base = existing();

    await dv.kick();
    const afterKick = syntheticMessage({ subject: 'after kick' });
    await append(afterKick);
    await waitFor(() => rec.has(messageIdOf(afterKick)!), 10_000, 'mail after the kick');

    await dv.kill();
    await waitFor(() => rec.kinds("retry").length >= 2, 10_000, "retries while the server is down");
    await dv.restart();
    const afterRestart = [syntheticMessage({ subject: 'after restart 1' }), syntheticMessage({ subject: 'after restart 2' })];
    for (const m of afterRestart) await append(m);
    await waitFor(() => afterRestart.every((m) => rec.has(messageIdOf(m)!)), 10_000, 'mail after the restart');
    await src.stop();
    expect(rec.duplicates()).toEqual([]);
    expect(rec.delivered().length).toBe(base + 3);
    expect(rec.kinds('connected').length).toBeGreaterThanOrEqual(3);
    expect(rec.kinds('retry').every((e) => (e.delayMs ?? 0) <= 300)).toBe(true);
  });

  it('a UIDVALIDITY change resets the cursor with an event and reads the mailbox again, skipping nothing', async () => {
    const rec = new Recorder();
    const src = make({ cursor: null }, rec);
    await src.start(rec.onMessages);
    await waitFor(() => rec.delivered().length === total, 10_000, 'the whole mailbox');
    await src.stop();
    const old = parseImapCursor(rec.cursor!);
    const all = rec.delivered();

    await dv.setUidValidity(Number(old.uidValidity) + 1000);
    const rec2 = new Recorder();
    const src2 = make({ cursor: rec.cursor }, rec2);
    await src2.start(rec2.onMessages);
    await waitFor(() => rec2.delivered().length === all.length, 10_000, 'the mailbox again');
    await src2.stop();
    expect(rec2.kinds('reset').length).toBe(1);
    expect(rec2.delivered().sort()).toEqual([...all].sort());
    expect(parseImapCursor(rec2.cursor!).uidValidity).toBe(String(Number(old.uidValidity) + 1000));
  });

  it('a UIDVALIDITY change while the source runs is noticed (reconnect, reset event), nothing skipped', async () => {
    const rec = new Recorder();
    const src = make({ cursor: null }, rec);
    await src.start(rec.onMessages);
    await waitFor(() => rec.delivered().length === total, 10_000, 'the whole mailbox');
    const before = parseImapCursor(rec.cursor!);
    const seen = rec.delivered();
    await dv.setUidValidity(Number(before.uidValidity) + 7);
    const m = syntheticMessage({ subject: 'after the UIDVALIDITY change' });
    await append(m);
    await waitFor(() => rec.kinds('reset').length === 1 && rec.has(messageIdOf(m)!), 10_000, 'the reset and the new message');
    await waitFor(() => seen.every((id) => rec.counts.get(id) === 2), 10_000, 'the mailbox delivered again');
    await src.stop();
    expect(parseImapCursor(rec.cursor!).uidValidity).toBe(String(Number(before.uidValidity) + 7));
    expect(rec.counts.get(messageIdOf(m)!)).toBe(1);
  });

  it('a cursor from before resumes after its UID', async () => {
    const rec = new Recorder();
    const probe = make({ cursor: null }, rec);
    await probe.start(rec.onMessages);
    await waitFor(() => rec.delivered().length === total, 10_000, 'the mailbox');
    await probe.stop();
    const c = parseImapCursor(rec.cursor!);
    const rec2 = new Recorder();
    const src = make({ cursor: formatImapCursor({ uidValidity: c.uidValidity, uid: c.uid - 2 }) }, rec2);
    await src.start(rec2.onMessages);
    await waitFor(() => rec2.delivered().length >= 2, 10_000, 'the last two');
    await new Promise((r) => setTimeout(r, 300));
    await src.stop();
    expect(rec2.delivered()).toEqual(rec.delivered().slice(-2));
  });

  it('a wrong password is a LiveSourceConfigError, not a retry loop', async () => {
    const rec = new Recorder();
    const src = make({ cursor: null, password: 'wrong' }, rec);
    await src.start(rec.onMessages);
    await expect(src.done()).rejects.toBeInstanceOf(LiveSourceConfigError);
    expect(rec.kinds('retry')).toEqual([]);
    await src.stop();
  });
});
