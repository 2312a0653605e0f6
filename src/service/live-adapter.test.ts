import { describe, expect, it } from 'vitest';
import type { LiveSource, OnMessages } from '../ingest/live/live-source.js';
import { liveServiceSource } from './live-adapter.js';

/** A live source the test drives: push() hands a batch out and resolves when it was acknowledged. */
function fakeLive() {
  let on: OnMessages | null = null;
  const started: (string | null)[] = [];
  let stopped = 0;
  const make = (cursor: string | null): LiveSource => {
    started.push(cursor);
    return { name: 'fake', start: async (cb) => void (on = cb), stop: async () => void stopped++ };
  };
  const push = (ids: string[], cursor: string): Promise<void> => on!(ids.map((id) => ({ source: id, bytes: Buffer.from(id) })), cursor);
  return { make, push, started, stopped: () => stopped };
}

describe('liveServiceSource', () => {
  it('starts the live source from the stored cursor, hands out what it pushed, and acknowledges only after the next pull', async () => {
    const f = fakeLive();
    const src = liveServiceSource('imap', 'imap', f.make);
    let woke = 0;
    src.onWake(() => woke++);
    const first = src.poll('7:10', 50)[Symbol.asyncIterator]();
    expect(await first.next()).toEqual({ done: true, value: undefined });
    expect(f.started).toEqual(['7:10']);
    let acked = false;
    const pushed = f.push(['a', 'b'], '7:12').then(() => (acked = true));
    expect(woke).toBe(1);
    const it = src.poll('7:10', 50)[Symbol.asyncIterator]();
    const b = await it.next();
    expect(b.value).toEqual({ messages: [{ source: 'a', bytes: Buffer.from('a') }, { source: 'b', bytes: Buffer.from('b') }], cursor: '7:12' });
    await Promise.resolve();
    expect(acked).toBe(false); // not stored yet
    expect((await it.next()).done).toBe(true);
    await pushed;
    expect(acked).toBe(true);
    expect(f.started).toHaveLength(1); // started once
  });

  it('rejects the push when the daemon stopped before storing it, so the live source delivers it again', async () => {
    const f = fakeLive();
    const src = liveServiceSource('imap', 'imap', f.make);
    for await (const _ of src.poll(null, 50)) void _;
    const pushed = f.push(['a'], '1:1');
    const it = src.poll(null, 50)[Symbol.asyncIterator]();
    await it.next();
    await it.return!(undefined); // the consumer failed
    await expect(pushed).rejects.toThrow(/not stored/);
    const later = f.push(['b'], '1:2');
    await src.stop();
    await expect(later).rejects.toThrow(/stopped/);
    expect(f.stopped()).toBe(1);
  });
});
