import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublicInboxMirrorSource, clonePublicInboxMirror } from '../../src/ingest/live/public-inbox-mirror-source.js';
import { LiveSourceConfigError } from '../../src/ingest/live/errors.js';
import { messageIdOf } from '../../src/ingest/live/received-time.js';
import { parseCursor } from '../../src/ingest/sources/read-public-inbox-v2.js';
import { CursorNotFoundError } from '../../src/ingest/sources/errors.js';
import { hasPublicInbox, makePublicInbox, mustRun, type PublicInbox } from '../support/servers/index.js';
import { listMessages, syntheticMessage } from './fixtures/messages.js';
import { Recorder } from './fixtures/recorder.js';
import { waitFor } from './fixtures/wait.js';

const describeServers = hasPublicInbox ? describe : describe.skip;

describeServers(hasPublicInbox ? 'PublicInboxMirrorSource: git fetch from a real public-inbox, then new commits' : 'PublicInboxMirrorSource (skipped: public-inbox is not installed)', () => {
  let upstream: PublicInbox;
  let initial: Buffer[];
  let tmp: string;
  let mirror: string;
  const sources: PublicInboxMirrorSource[] = [];
  const head = async (): Promise<string> => (await mustRun('git', [`--git-dir=${join(upstream.dir, 'git', '0.git')}`, 'rev-parse', 'HEAD'])).trim();

  beforeAll(async () => {
    initial = await listMessages(5);
    upstream = await makePublicInbox(initial, { name: 'upstream' });
    tmp = mkdtempSync(join(tmpdir(), 'bpf-review-mirror-'));
    mirror = join(tmp, 'mirror');
    await clonePublicInboxMirror(upstream.dir, mirror);
  });

  afterAll(async () => {
    for (const s of sources) await s.stop();
    await upstream?.remove();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('reads the mirror, then fetches and delivers what public-inbox-mda adds upstream; the cursor is upstream HEAD', async () => {
    const rec = new Recorder();
    const src = new PublicInboxMirrorSource({ mirrorDir: mirror, cursor: null, pollIntervalMs: 100, log: rec.log, backoff: { initialMs: 50, maxMs: 200 } });
    sources.push(src);
    await src.start(rec.onMessages);
    await waitFor(() => rec.delivered().length === initial.length, 10_000, 'the mirrored messages');
    expect(rec.delivered()).toEqual(initial.map((m) => messageIdOf(m)!));

    const added = [syntheticMessage({ subject: 'mirror 1' }), syntheticMessage({ subject: 'mirror 2' })];
    for (const m of added) await upstream.add(m);
    await waitFor(() => added.every((m) => rec.has(messageIdOf(m)!)), 10_000, 'the fetched messages');
    await src.stop();
    expect(rec.duplicates()).toEqual([]);
    expect(parseCursor(rec.cursor!)).toEqual({ epoch: 0, commit: await head() });

    // a new run from the stored cursor delivers only what came after it
    const late = syntheticMessage({ subject: 'mirror 3' });
    await upstream.add(late);
    const rec2 = new Recorder();
    const src2 = new PublicInboxMirrorSource({ mirrorDir: mirror, cursor: rec.cursor, pollIntervalMs: 100, log: rec2.log });
    sources.push(src2);
    await src2.start(rec2.onMessages);
    await waitFor(() => rec2.has(messageIdOf(late)!), 10_000, 'the message added while stopped');
    await new Promise((r) => setTimeout(r, 300));
    await src2.stop();
    expect(rec2.delivered()).toEqual([messageIdOf(late)!]);
    expect(src2.fetches).toBeGreaterThanOrEqual(2);
  });

  it('a cursor the mirror history does not contain (upstream purged) stops with CursorNotFoundError', async () => {
    const rec = new Recorder();
    const src = new PublicInboxMirrorSource({ mirrorDir: mirror, cursor: `0:${'0123456789abcdef'.repeat(2)}01234567`, pollIntervalMs: 100, log: rec.log });
    sources.push(src);
    await src.start(rec.onMessages);
    await expect(src.done()).rejects.toBeInstanceOf(CursorNotFoundError);
    expect(rec.kinds('fatal')).toHaveLength(1);
    expect(rec.delivered()).toEqual([]);
  });

  it('an unreachable remote is retried with backoff; a mirror without the remote is a LiveSourceConfigError', async () => {
    const broken = join(tmp, 'broken');
    await clonePublicInboxMirror(upstream.dir, broken);
    await mustRun('git', [`--git-dir=${join(broken, 'git', '0.git')}`, 'remote', 'set-url', 'origin', join(tmp, 'nowhere.git')]);
    const rec = new Recorder();
    const src = new PublicInboxMirrorSource({ mirrorDir: broken, cursor: null, pollIntervalMs: 100, log: rec.log, backoff: { initialMs: 20, maxMs: 50 } });
    sources.push(src);
    await src.start(rec.onMessages);
    await waitFor(() => rec.kinds('retry').length >= 2, 10_000, 'retries');
    await src.stop();
    expect(rec.delivered()).toEqual([]);
    expect(rec.kinds('retry')[0]!.message).toMatch(/git fetch origin failed/);

    await mustRun('git', [`--git-dir=${join(broken, 'git', '0.git')}`, 'remote', 'remove', 'origin']);
    const src2 = new PublicInboxMirrorSource({ mirrorDir: broken, cursor: null });
    await expect(src2.start(new Recorder().onMessages)).rejects.toBeInstanceOf(LiveSourceConfigError);
  });
});
