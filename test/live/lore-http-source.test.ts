import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoreHttpSource, formatLoreCursor, parseLoreCursor } from '../../src/ingest/live/lore-http-source.js';
import { LiveSourceConfigError } from '../../src/ingest/live/errors.js';
import { messageIdOf, receivedTime } from '../../src/ingest/live/received-time.js';
import { freePort, hasPublicInbox, makePublicInbox, startPublicInboxHttpd, type PublicInbox, type PublicInboxHttpd } from '../support/servers/index.js';
import { listMessages, syntheticMessage, withReceived } from './fixtures/messages.js';
import { Recorder } from './fixtures/recorder.js';
import { waitFor } from './fixtures/wait.js';

const describeServers = hasPublicInbox ? describe : describe.skip;
const FEEDMAX = 4;

describeServers(hasPublicInbox ? 'LoreHttpSource against public-inbox-httpd' : 'LoreHttpSource (skipped: public-inbox-httpd is not installed)', () => {
  let inbox: PublicInbox;
  let httpd: PublicInboxHttpd;
  let initial: Buffer[];
  let fresh: Buffer[];
  let used = 0;
  // received times of added messages: after every corpus message, increasing, in the past
  let t = Math.floor(Date.now() / 1000) - 3600;
  const nextT = (): number => (t += 2);
  const next = (): Buffer => {
    const m = fresh[used++];
    if (!m) throw new Error('test ran out of fresh messages');
    return withReceived(m, nextT());
  };
  const sources: LoreHttpSource[] = [];
  const make = (o: Partial<ConstructorParameters<typeof LoreHttpSource>[0]> & { cursor: string | null }, rec: Recorder): LoreHttpSource => {
    const s = new LoreHttpSource({ inboxUrl: httpd.url, pollIntervalMs: 150, pauseMs: 10, fetchMode: 'raw', backoff: { initialMs: 50, maxMs: 200 }, log: rec.log, ...o });
    sources.push(s);
    return s;
  };

  beforeAll(async () => {
    initial = await listMessages(8);
    fresh = await listMessages(14, 8);
    inbox = await makePublicInbox(initial, { feedmax: FEEDMAX });
    httpd = await startPublicInboxHttpd(inbox);
  });

  afterAll(async () => {
    for (const s of sources) await s.stop();
    await httpd?.stop();
    await inbox?.remove();
  });

  it('a fresh source takes the feed, then delivers messages appended with public-inbox-mda, each once', async () => {
    const rec = new Recorder();
    const src = make({ cursor: null }, rec);
    await src.start(rec.onMessages);
    await waitFor(() => rec.kinds('connected').length > 0, 10_000, 'the first poll');
    const newest = [...initial].sort((a, b) => receivedTime(b)! - receivedTime(a)!).slice(0, FEEDMAX).map((m) => messageIdOf(m)!);
    expect(rec.delivered().sort()).toEqual(newest.sort());

    const added = [next(), next()];
    for (const m of added) await inbox.add(m);
    const want = added.map((m) => messageIdOf(m)!);
    await waitFor(() => rec.hasAll(want), 10_000, 'the appended messages');
    await src.stop();
    expect(rec.delivered().length).toBe(FEEDMAX + 2);
    expect(rec.duplicates()).toEqual([]);
    const c = parseLoreCursor(rec.cursor!);
    expect(c.rt).toBe(receivedTime(added[1]!));
    expect(c.ids).toEqual([want[1]]);
    expect(src.userAgent).toMatch(/^bpf-review\/\d+\.\d+\.\d+ \(\+/);
  });

  it('after downtime, catches up with an rt: search the messages that slid out of the feed', async () => {
    const rec1 = new Recorder();
    const s1 = make({ cursor: null }, rec1);
    await s1.start(rec1.onMessages);
    await waitFor(() => rec1.kinds('connected').length > 0, 10_000, 'the first poll');
    await s1.stop();
    const saved = rec1.cursor!;

    const missed = Array.from({ length: FEEDMAX + 2 }, () => next());
    for (const m of missed) await inbox.add(m);
    const rec2 = new Recorder();
    const s2 = make({ cursor: saved }, rec2);
    await s2.start(rec2.onMessages);
    const want = missed.map((m) => messageIdOf(m)!);
    await waitFor(() => rec2.hasAll(want), 15_000, 'the missed messages');
    await s2.stop();
    expect(rec2.delivered().sort()).toEqual([...want].sort());
    expect(rec2.duplicates()).toEqual([]);
    expect(rec2.kinds('catch-up').length).toBeGreaterThanOrEqual(1);
    // handed out oldest first: the cursor ends at the newest
    expect(parseLoreCursor(rec2.cursor!).rt).toBe(receivedTime(missed[missed.length - 1]!));
  });

  it('two messages received in the same second: the cursor names the one seen, the other still comes', async () => {
    const same = nextT();
    const a = withReceived(fresh[used++]!, same);
    const b = withReceived(fresh[used++]!, same);
    await inbox.add(a);
    await inbox.add(b);
    const rec = new Recorder();
    const src = make({ cursor: formatLoreCursor({ rt: same, ids: [messageIdOf(a)!] }) }, rec);
    await src.start(rec.onMessages);
    await waitFor(() => rec.has(messageIdOf(b)!), 10_000, 'the second message of the same second');
    await new Promise((r) => setTimeout(r, 400)); // a few more polls
    await src.stop();
    expect(rec.delivered()).toEqual([messageIdOf(b)!]);
    expect(parseLoreCursor(rec.cursor!).ids.sort()).toEqual([messageIdOf(a)!, messageIdOf(b)!].sort());
  });

  it('thread mode fetches the new message\'s t.mbox.gz: the reply comes with its thread', async () => {
    const parent = messageIdOf(initial[0]!)!;
    const tr = nextT();
    const reply = syntheticMessage({ subject: 'Re: live thread test', inReplyTo: parent, received: tr });
    await inbox.add(reply);
    const rec = new Recorder();
    const src = make({ cursor: formatLoreCursor({ rt: tr - 1, ids: [] }), fetchMode: 'thread' }, rec);
    await src.start(rec.onMessages);
    await waitFor(() => rec.has(messageIdOf(reply)!), 10_000, 'the reply');
    await src.stop();
    expect(rec.has(parent)).toBe(true);
    expect(rec.batches.length).toBe(1);
    expect(parseLoreCursor(rec.cursor!)).toEqual({ rt: tr, ids: [messageIdOf(reply)!] });
  });

  it('connection refused: backs off and retries until the server is there', async () => {
    const port = await freePort();
    const tr = nextT();
    const m = withReceived(fresh[used++]!, tr);
    await inbox.add(m);
    const rec = new Recorder();
    const src = make({ cursor: formatLoreCursor({ rt: tr - 1, ids: [] }), inboxUrl: `http://127.0.0.1:${port}/${inbox.name}/` }, rec);
    await src.start(rec.onMessages);
    await waitFor(() => rec.kinds('retry').length >= 3, 10_000, 'three retries');
    expect(rec.kinds('retry').every((e) => e.error === 'ConnectionLostError')).toBe(true);
    const delays = rec.kinds('retry').map((e) => e.delayMs!);
    expect(Math.max(...delays)).toBeLessThanOrEqual(200);
    const late = await startPublicInboxHttpd(inbox, { port });
    try {
      await waitFor(() => rec.has(messageIdOf(m)!), 10_000, 'delivery once the server is up');
    } finally {
      await src.stop();
      await late.stop();
    }
    expect(rec.delivered()).toEqual([messageIdOf(m)!]);
  });

  it('503 with Retry-After: backs off; one request at a time, a pause between them, a User-Agent', async () => {
    const tr = nextT();
    const added = [withReceived(fresh[used++]!, tr), withReceived(fresh[used++]!, tr + 1)];
    for (const m of added) await inbox.add(m);
    let n = 0;
    let active = 0;
    let maxActive = 0;
    const starts: number[] = [];
    const agents = new Set<string>();
    const upstream = new URL(httpd.url);
    const proxy: Server = createServer((req, res) => {
      n += 1;
      active += 1;
      maxActive = Math.max(maxActive, active);
      starts.push(Date.now());
      agents.add(String(req.headers['user-agent']));
      const done = (): void => {
        active -= 1;
      };
      if (n <= 3) {
        res.writeHead(503, { 'retry-after': '0', 'content-type': 'text/plain' });
        res.end('busy\n', done);
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        fetch(`http://127.0.0.1:${upstream.port}${req.url}`, { method: req.method, body: req.method === 'POST' ? Buffer.concat(chunks) : undefined, headers: { 'content-type': String(req.headers['content-type'] ?? '') } })
          .then(async (r) => {
            const body = Buffer.from(await r.arrayBuffer());
            res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/octet-stream' });
            res.end(body, done);
          })
          .catch(() => {
            res.writeHead(502);
            res.end(done);
          });
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const port = (proxy.address() as { port: number }).port;
    const rec = new Recorder();
    const src = make({ cursor: formatLoreCursor({ rt: tr - 1, ids: [] }), inboxUrl: `http://127.0.0.1:${port}/${inbox.name}/`, pauseMs: 150, contact: 'mailto:bot@example.org' }, rec);
    try {
      await src.start(rec.onMessages);
      await waitFor(() => rec.hasAll(added.map((m) => messageIdOf(m)!)), 15_000, 'delivery through the proxy');
      await src.stop();
    } finally {
      await new Promise((r) => proxy.close(r));
    }
    const retries = rec.kinds('retry');
    expect(retries.length).toBe(3);
    expect(retries.every((e) => e.error === 'HttpStatusError')).toBe(true);
    expect(maxActive).toBe(1);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(140);
    expect([...agents]).toEqual([expect.stringMatching(/^bpf-review\/\d+\.\d+\.\d+ \(\+mailto:bot@example\.org\)$/)]);
    expect(rec.delivered().sort()).toEqual(added.map((m) => messageIdOf(m)!).sort());
  });

  it('a server without search (indexlevel basic): the possible gap is logged, never silent, and the feed still delivers', async () => {
    const basic = await makePublicInbox(initial.slice(0, 3), { name: 'basic', indexLevel: 'basic', feedmax: FEEDMAX });
    const bd = await startPublicInboxHttpd(basic);
    try {
      const tr = nextT();
      const m = withReceived(fresh[used++]!, tr);
      await basic.add(m);
      const rec = new Recorder();
      // a cursor older than everything: every feed entry is new, so a catch-up is attempted
      const src = make({ cursor: formatLoreCursor({ rt: 1, ids: [] }), inboxUrl: bd.url }, rec);
      await src.start(rec.onMessages);
      await waitFor(() => rec.has(messageIdOf(m)!), 10_000, 'the feed delivery');
      await src.stop();
      expect(rec.kinds('gap').length).toBeGreaterThanOrEqual(1);
      expect(rec.kinds('gap')[0]!.message).toMatch(/search unavailable \(HTTP \d+\)/);
      expect(rec.delivered().length).toBe(4);
    } finally {
      await bd.stop();
      await basic.remove();
    }
  });

  it('an inbox the server does not have is a LiveSourceConfigError, not a retry loop', async () => {
    const rec = new Recorder();
    const src = make({ cursor: null, inboxUrl: httpd.url.replace(/\/[^/]+\/$/, '/no-such-inbox/') }, rec);
    await src.start(rec.onMessages);
    await expect(src.done()).rejects.toBeInstanceOf(LiveSourceConfigError);
    expect(rec.kinds('fatal').length).toBe(1);
    expect(rec.kinds('retry').length).toBe(0);
    await src.stop();
  });
});
