import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NntpSource, formatNntpCursor, parseNntpCursor } from '../../src/ingest/live/nntp-source.js';
import { NntpClient } from '../../src/ingest/live/nntp-client.js';
import { LiveSourceConfigError } from '../../src/ingest/live/errors.js';
import { messageIdOf } from '../../src/ingest/live/received-time.js';
import { hasPublicInbox, makePublicInbox, startPublicInboxNntpd, type PublicInbox, type PublicInboxNntpd } from '../support/servers/index.js';
import { listMessages, syntheticMessage } from './fixtures/messages.js';
import { Recorder } from './fixtures/recorder.js';
import { waitFor } from './fixtures/wait.js';

const describeServers = hasPublicInbox ? describe : describe.skip;
const DOTS = 'first line\n.\n..two dots\n.leading dot\n...\nlast line\n';

describeServers(hasPublicInbox ? 'NntpSource against public-inbox-nntpd' : 'NntpSource (skipped: public-inbox-nntpd is not installed)', () => {
  let msgs: Buffer[];
  let mids: string[];
  let a: PublicInbox;
  let nntpd: PublicInboxNntpd;
  const sources: NntpSource[] = [];
  const make = (o: Partial<ConstructorParameters<typeof NntpSource>[0]> & { cursor: string | null }, rec: Recorder, server = nntpd): NntpSource => {
    const s = new NntpSource({ host: server.host, port: server.port, group: server.group, pollIntervalMs: 100, batchSize: 4, backoff: { initialMs: 50, maxMs: 300 }, log: rec.log, ...o });
    sources.push(s);
    return s;
  };
  /** Wait for `n` deliveries, then a few more polls so extra deliveries would show. */
  const settle = async (rec: Recorder, n: number): Promise<void> => {
    await waitFor(() => rec.delivered().length >= n, 10_000, `${n} deliveries`);
    await new Promise((r) => setTimeout(r, 300));
  };

  beforeAll(async () => {
    msgs = [...(await listMessages(10)), syntheticMessage({ subject: 'dot-stuffing test', body: DOTS })];
    mids = msgs.map((m) => messageIdOf(m)!);
    a = await makePublicInbox(msgs);
    nntpd = await startPublicInboxNntpd(a);
  });

  afterAll(async () => {
    for (const s of sources) await s.stop();
    await nntpd?.stop();
    await a?.remove();
  });

  it('the client speaks NNTP to the real server: CAPABILITIES, GROUP, OVER, STAT, ARTICLE with dot-stuffing undone', async () => {
    const c = await NntpClient.connect({ host: nntpd.host, port: nntpd.port });
    try {
      expect(await c.capabilities()).toContain('READER');
      const g = await c.group(nntpd.group);
      expect(g).toMatchObject({ low: 1, high: msgs.length, name: nntpd.group }); // public-inbox's count is an estimate
      const ov = await c.over(1, g.high);
      expect(ov.map((e) => e.messageId)).toEqual(mids);
      expect(await c.stat(mids[3]!)).toEqual({ number: 4, messageId: mids[3] });
      expect(await c.article(g.high + 5)).toBeNull();
      const art = (await c.article(msgs.length))!;
      expect(art.messageId).toBe(mids[msgs.length - 1]);
      expect(art.bytes.toString('utf8')).toContain(`\n\n${DOTS}`);
    } finally {
      await c.quit();
    }
  });

  it('reads the group from the start, in batches, each cursor "<number> <message-id>"', async () => {
    const rec = new Recorder();
    const src = make({ cursor: null }, rec);
    await src.start(rec.onMessages);
    await waitFor(() => rec.delivered().length === msgs.length, 10_000, 'every article');
    await src.stop();
    expect(rec.batches.flatMap((b) => b.ids)).toEqual(mids);
    expect(rec.batches.map((b) => b.ids.length)).toEqual([4, 4, 3]);
    expect(parseNntpCursor(rec.cursor!)).toEqual({ number: msgs.length, messageId: mids[msgs.length - 1] });
  });

  it('resumes after its cursor and picks up an article posted while it runs', async () => {
    const rec = new Recorder();
    const src = make({ cursor: formatNntpCursor({ number: 6, messageId: mids[5]! }) }, rec);
    await src.start(rec.onMessages);
    await settle(rec, msgs.length - 6);
    expect(rec.delivered()).toEqual(mids.slice(6));
    const added = syntheticMessage({ subject: 'posted while reading' });
    await a.add(added);
    await waitFor(() => rec.has(messageIdOf(added)!), 10_000, 'the new article');
    await src.stop();
    expect(rec.duplicates()).toEqual([]);
    expect(parseNntpCursor(rec.cursor!)).toEqual({ number: msgs.length + 1, messageId: messageIdOf(added) });
    expect(rec.kinds('heal')).toEqual([]);
  });

  describe('a server that renumbered (reset, rebuilt from a smaller archive)', () => {
    let b: PublicInbox;
    let bd: PublicInboxNntpd;
    let bMsgs: Buffer[];
    beforeAll(async () => {
      // B holds A's articles 6.. under new numbers 1.., then two new ones
      bMsgs = [...msgs.slice(5), syntheticMessage({ subject: 'only on B, 1' }), syntheticMessage({ subject: 'only on B, 2' })];
      b = await makePublicInbox(bMsgs, { name: 'bpfb' });
      bd = await startPublicInboxNntpd(b);
    });
    afterAll(async () => {
      for (const s of sources) await s.stop();
      await bd?.stop();
      await b?.remove();
    });
    const bIds = (): string[] => bMsgs.map((m) => messageIdOf(m)!);

    it('a cursor above the high-water mark heals by Message-ID instead of stalling', async () => {
      const rec = new Recorder();
      const src = make({ cursor: formatNntpCursor({ number: msgs.length, messageId: mids[msgs.length - 1]! }) }, rec, bd);
      await src.start(rec.onMessages);
      await settle(rec, 2);
      await src.stop();
      // A's last article is B's number 6: only B's two new articles come
      expect(rec.delivered()).toEqual(bIds().slice(6));
      expect(rec.kinds('heal').length).toBe(1);
      expect(rec.kinds('heal')[0]!.message).toMatch(/above the high-water mark/);
    });

    it('a cursor whose number now holds another article (drift) heals to where its Message-ID is', async () => {
      const rec = new Recorder();
      // on A, article 8 was mids[7]; on B, mids[7] is article 3 and article 8 is the first new one
      const src = make({ cursor: formatNntpCursor({ number: 8, messageId: mids[7]! }) }, rec, bd);
      await src.start(rec.onMessages);
      await settle(rec, bMsgs.length - 3);
      await src.stop();
      expect(rec.delivered()).toEqual(bIds().slice(3));
      expect(rec.kinds('heal')[0]!.message).toMatch(/is now <.*>.*article 3/);
    });

    it('a cursor whose Message-ID the server does not have rewinds (with a heal event) rather than skipping', async () => {
      const rec = new Recorder();
      const src = make({ cursor: formatNntpCursor({ number: 20, messageId: 'gone@bpf-review.invalid' }), healWindow: 5 }, rec, bd);
      await src.start(rec.onMessages);
      await settle(rec, 5);
      await src.stop();
      expect(rec.delivered()).toEqual(bIds().slice(bMsgs.length - 5));
      expect(rec.kinds('heal')[0]!.message).toMatch(/rewinding/);
    });

    it('a healed cursor is handed out even when nothing new came, so it heals once', async () => {
      const rec = new Recorder();
      const last = bIds()[bMsgs.length - 1]!;
      const src = make({ cursor: formatNntpCursor({ number: 99, messageId: last }) }, rec, bd);
      await src.start(rec.onMessages);
      await waitFor(() => rec.batches.length > 0, 10_000, 'the healed cursor');
      await new Promise((r) => setTimeout(r, 400)); // more polls
      await src.stop();
      expect(rec.delivered()).toEqual([]);
      expect(rec.cursor).toBe(formatNntpCursor({ number: bMsgs.length, messageId: last }));
      expect(rec.kinds('heal').length).toBe(1);
    });
  });

  it('a dropped connection (server restarted) reconnects, re-selects the group and delivers the rest once', async () => {
    const rec = new Recorder();
    const src = make({ cursor: null }, rec);
    await src.start(rec.onMessages);
    const before = (await a.commits());
    await waitFor(() => rec.delivered().length === before, 10_000, 'the whole group');
    const port = nntpd.port;
    await nntpd.stop();
    const added = syntheticMessage({ subject: 'posted while the server was down' });
    await a.add(added);
    await waitFor(() => rec.kinds('retry').length >= 2, 10_000, 'retries while down');
    nntpd = await startPublicInboxNntpd(a, { port });
    await waitFor(() => rec.has(messageIdOf(added)!), 10_000, 'the article after reconnecting');
    await src.stop();
    expect(rec.duplicates()).toEqual([]);
    expect(rec.delivered().length).toBe(before + 1);
    expect(rec.kinds('connected').length).toBeGreaterThanOrEqual(2);
  });

  it('no such newsgroup is a LiveSourceConfigError', async () => {
    const rec = new Recorder();
    const src = make({ cursor: null, group: 'no.such.group' }, rec);
    await src.start(rec.onMessages);
    await expect(src.done()).rejects.toBeInstanceOf(LiveSourceConfigError);
    await src.stop();
  });
});
