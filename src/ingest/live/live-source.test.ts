import { describe, expect, it } from 'vitest';
import type { RawMessage } from '../../model/message.js';
import { ConnectionLostError } from '../../model/errors.js';
import type { LiveClock } from './backoff.js';
import { LiveSourceConfigError } from './errors.js';
import { BaseLiveSource, Notifier, type LiveEvent, type SessionContext } from './live-source.js';

/** A clock whose sleeps end at once (or when aborted) and are recorded. */
function fakeClock(): LiveClock & { slept: number[] } {
  const slept: number[] = [];
  return {
    slept,
    now: () => Date.now(),
    random: () => 0.5,
    sleep: async (ms) => {
      slept.push(ms);
      await new Promise((r) => setImmediate(r));
    },
  };
}

const msg = (n: number): RawMessage => ({ source: `t#${n}`, bytes: Buffer.from(`Message-ID: <${n}@t>\n\nx\n`) });

/** A scripted source: each session runs the next step. */
class Scripted extends BaseLiveSource {
  readonly name = 'scripted';
  sessions = 0;
  seenCursors: Array<string | null> = [];
  constructor(
    private readonly steps: Array<(ctx: SessionContext) => Promise<void>>,
    clock: LiveClock,
    log: (e: LiveEvent) => void,
    cursor: string | null = null,
  ) {
    super({ cursor, clock, log, backoff: { initialMs: 100, maxMs: 800, factor: 2, jitter: 0 } });
  }
  protected async session(ctx: SessionContext): Promise<void> {
    this.seenCursors.push(ctx.cursor());
    const step = this.steps[this.sessions++];
    if (step) return step(ctx);
    await new Promise<void>((r) => ctx.signal.addEventListener('abort', () => r(), { once: true }));
  }
}

describe('BaseLiveSource', () => {
  it('retries transient errors forever with bounded exponential backoff, and starts over after success', async () => {
    const clock = fakeClock();
    const events: LiveEvent[] = [];
    const fail = async (): Promise<void> => {
      throw new ConnectionLostError('down', 'x');
    };
    const src = new Scripted(
      [fail, fail, fail, fail, fail, async (ctx) => {
        ctx.ok();
        throw new ConnectionLostError('dropped after working', 'x');
      }],
      clock,
      (e) => events.push(e),
    );
    await src.start(async () => undefined);
    while (src.sessions < 7) await new Promise((r) => setTimeout(r, 5));
    await src.stop();
    expect(clock.slept).toEqual([100, 200, 400, 800, 800, 100]);
    expect(events.filter((e) => e.kind === 'retry').map((e) => e.attempt)).toEqual([1, 2, 3, 4, 5, 1]);
    expect(events.at(-1)!.kind).toBe('stopped');
  });

  it('a permanent error stops the loop: fatal event, done() rejects with it, no retry', async () => {
    const events: LiveEvent[] = [];
    const src = new Scripted([async () => {
      throw new LiveSourceConfigError('no such inbox');
    }], fakeClock(), (e) => events.push(e));
    await src.start(async () => undefined);
    await expect(src.done()).rejects.toBeInstanceOf(LiveSourceConfigError);
    expect(events.map((e) => e.kind)).toEqual(['fatal', 'stopped']);
    await src.stop();
  });

  it('at-least-once: when onMessages fails, the next session starts from the last cursor it accepted', async () => {
    const got: string[] = [];
    let failOnce = true;
    const deliverFrom = async (ctx: SessionContext): Promise<void> => {
      const start = Number(ctx.cursor() ?? 0);
      for (let n = start + 1; n <= 3; n++) await ctx.deliver([msg(n)], String(n));
    };
    const src = new Scripted([deliverFrom, deliverFrom], fakeClock(), () => undefined);
    await src.start(async (batch, cursor) => {
      if (cursor === '2' && failOnce) {
        failOnce = false;
        throw new Error('disk full');
      }
      got.push(...batch.map((m) => m.source));
    });
    while (src.sessions < 3) await new Promise((r) => setTimeout(r, 5));
    await src.stop();
    expect(src.seenCursors).toEqual([null, '1', '3']);
    expect(got).toEqual(['t#1', 't#2', 't#3']);
    expect(src.cursor()).toBe('3');
  });

  it('an empty batch is handed out only when it moves the cursor', async () => {
    const calls: Array<[number, string]> = [];
    const src = new Scripted([async (ctx) => {
      await ctx.deliver([], 'same');
      await ctx.deliver([], 'same');
      await ctx.deliver([], 'moved');
    }], fakeClock(), () => undefined, 'same');
    await src.start(async (b, c) => {
      calls.push([b.length, c]);
    });
    while (src.sessions < 2) await new Promise((r) => setTimeout(r, 5));
    await src.stop();
    expect(calls).toEqual([[0, 'moved']]);
  });

  it('stop() during a backoff sleep with the real clock returns at once', async () => {
    const src = new (class extends BaseLiveSource {
      readonly name = 'slow';
      protected async session(): Promise<void> {
        throw new ConnectionLostError('down', 'x');
      }
    })({ cursor: null, backoff: { initialMs: 60_000, maxMs: 60_000 } });
    await src.start(async () => undefined);
    await new Promise((r) => setTimeout(r, 20));
    const t0 = Date.now();
    await src.stop();
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});

describe('Notifier', () => {
  it('remembers a notify that came before the wait; times out otherwise', async () => {
    const n = new Notifier();
    const clock = { now: Date.now, random: Math.random, sleep: (ms: number, s?: AbortSignal) => new Promise<void>((r) => { const t = setTimeout(r, ms); s?.addEventListener('abort', () => { clearTimeout(t); r(); }); }) };
    const ctl = new AbortController();
    n.notify();
    expect(await n.wait(10_000, ctl.signal, clock)).toBe(true);
    expect(await n.wait(10, ctl.signal, clock)).toBe(false);
    setTimeout(() => n.notify(), 10);
    expect(await n.wait(10_000, ctl.signal, clock)).toBe(true);
  });
});
