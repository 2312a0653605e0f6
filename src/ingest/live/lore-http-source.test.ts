import { describe, expect, it } from 'vitest';
import { LiveSourceConfigError } from './errors.js';
import type { LiveEvent } from './live-source.js';
import { LoreHttpSource, advance, formatLoreCursor, isAfter, parseLoreCursor } from './lore-http-source.js';

describe('lore cursor', () => {
  it('orders by received time, then by the Message-IDs seen in that second', () => {
    const c = { rt: 100, ids: ['a@x'] };
    expect(isAfter(c, 99, 'z@x')).toBe(false);
    expect(isAfter(c, 100, 'a@x')).toBe(false);
    expect(isAfter(c, 100, 'b@x')).toBe(true);
    expect(isAfter(c, 101, 'a@x')).toBe(true);
    expect(isAfter(null, 0, 'a@x')).toBe(true);
    expect(advance(c, 100, 'b@x')).toEqual({ rt: 100, ids: ['a@x', 'b@x'] });
    expect(advance(c, 101, 'c@x')).toEqual({ rt: 101, ids: ['c@x'] });
    expect(advance(c, 99, 'c@x')).toBe(c);
  });

  it('round-trips, and a foreign string is a LiveSourceConfigError', () => {
    const s = formatLoreCursor({ rt: 1755179808, ids: ['b@x', 'a@x'] });
    expect(parseLoreCursor(s)).toEqual({ rt: 1755179808, ids: ['a@x', 'b@x'] });
    expect(() => parseLoreCursor('0:abc')).toThrow(LiveSourceConfigError);
    expect(() => parseLoreCursor('{"rt":"1","ids":[]}')).toThrow(LiveSourceConfigError);
  });
});

/** A fetch that answers from a table of URL → [status, body]; records the URLs asked. */
function tableFetch(table: Record<string, [number, string]>, asked: string[]): typeof fetch {
  return (async (input: string | URL | Request) => {
    const url = String(input);
    asked.push(url);
    const [status, body] = table[url] ?? [404, 'not found'];
    return new Response(body, { status });
  }) as typeof fetch;
}

const FEED = (entries: Array<[string, string]>): string =>
  `<feed>${entries.map(([mid, t]) => `<entry><title>t</title><updated>${t}</updated><link\nhref="http://l/bpf/${encodeURIComponent(mid)}/"/><content>x</content></entry>`).join('')}</feed>`;

describe('LoreHttpSource (scripted HTTP)', () => {
  it('a message listed in the feed but gone (404) is skipped with an event, and the cursor still moves past it', async () => {
    const asked: string[] = [];
    const events: LiveEvent[] = [];
    const batches: Array<[number, string]> = [];
    const src = new LoreHttpSource({
      inboxUrl: 'http://l/bpf',
      cursor: formatLoreCursor({ rt: 10, ids: [] }),
      pauseMs: 0,
      pollIntervalMs: 60_000,
      fetchMode: 'raw',
      log: (e) => events.push(e),
      fetch: tableFetch(
        {
          'http://l/bpf/new.atom': [200, FEED([['old@x', '1970-01-01T00:00:05Z'], ['gone@x', '1970-01-01T00:00:20Z']])],
        },
        asked,
      ),
    });
    await src.start(async (b, c) => {
      batches.push([b.length, c]);
    });
    for (let i = 0; i < 100 && batches.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    await src.stop();
    expect(asked).toEqual(['http://l/bpf/new.atom', 'http://l/bpf/gone@x/raw']);
    expect(events.filter((e) => e.kind === 'skipped')).toHaveLength(1);
    expect(batches).toEqual([[0, formatLoreCursor({ rt: 20, ids: ['gone@x'] })]]);
  });

  it('403 (blocked) is a LiveSourceConfigError; a bad URL or cursor fails start()', async () => {
    const src = new LoreHttpSource({ inboxUrl: 'http://l/bpf/', cursor: null, fetch: tableFetch({ 'http://l/bpf/new.atom': [403, 'no'] }, []) });
    await src.start(async () => undefined);
    await expect(src.done()).rejects.toBeInstanceOf(LiveSourceConfigError);
    await src.stop();
    await expect(new LoreHttpSource({ inboxUrl: 'ftp://l/bpf/', cursor: null }).start(async () => undefined)).rejects.toBeInstanceOf(LiveSourceConfigError);
    await expect(new LoreHttpSource({ inboxUrl: 'http://l/bpf/', cursor: 'nope' }).start(async () => undefined)).rejects.toBeInstanceOf(LiveSourceConfigError);
  });
});
