import { describe, expect, it } from 'vitest';
import { Backoff, sleep } from './backoff.js';

describe('Backoff', () => {
  it('grows by the factor and stops at maxMs (no jitter)', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 });
    expect(Array.from({ length: 7 }, () => b.next())).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
    expect(b.failures).toBe(7);
    b.reset();
    expect(b.next()).toBe(100);
  });

  it('jitter spreads the delay around the base, never above maxMs', () => {
    const lo = new Backoff({ initialMs: 1000, maxMs: 1100, factor: 2, jitter: 0.5 }, () => 0);
    const hi = new Backoff({ initialMs: 1000, maxMs: 1100, factor: 2, jitter: 0.5 }, () => 0.999999);
    expect(lo.next()).toBe(500);
    expect(hi.next()).toBe(1100); // 1500 capped
    const r = new Backoff({ initialMs: 1000, maxMs: 60_000, factor: 2, jitter: 0.2 });
    for (let i = 0; i < 200; i++) {
      const base = Math.min(60_000, 1000 * 2 ** i);
      const d = r.next();
      expect(d).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
      expect(d).toBeLessThanOrEqual(60_000);
    }
  });

  it('a server\'s Retry-After raises the delay, still capped', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 5000, factor: 2, jitter: 0 });
    expect(b.next(3000)).toBe(3000);
    expect(b.next(99_000)).toBe(5000);
  });

  it('rejects options that would not be bounded', () => {
    expect(() => new Backoff({ initialMs: 100, maxMs: 50 })).toThrow(RangeError);
    expect(() => new Backoff({ factor: 0.5 })).toThrow(RangeError);
  });

  it('sleep resolves early when aborted', async () => {
    const ctl = new AbortController();
    const t0 = Date.now();
    const p = sleep(10_000, ctl.signal);
    ctl.abort();
    await p;
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
