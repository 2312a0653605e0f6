import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveEvent } from './live-source.js';
import { NntpSource, formatNntpCursor, parseNntpCursor } from './nntp-source.js';
import { LiveSourceConfigError } from './errors.js';

/** An in-memory newsgroup served over a minimal NNTP server: articles[number] = Message-ID. */
async function newsServer(group: string, articles: Map<number, string>): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => {
    s.write('201 fake ready\r\n');
    let buf = '';
    s.on('error', () => undefined);
    s.on('data', (c) => {
      buf += c.toString('latin1');
      let i;
      while ((i = buf.indexOf('\r\n')) !== -1) {
        const [cmd = '', arg = ''] = buf.slice(0, i).split(' ');
        buf = buf.slice(i + 2);
        const nums = [...articles.keys()].sort((a, b) => a - b);
        const low = nums[0] ?? 1;
        const high = nums[nums.length - 1] ?? 0;
        const byId = (id: string): number | undefined => [...articles].find(([, m]) => `<${m}>` === id)?.[0];
        switch (cmd.toUpperCase()) {
          case 'CAPABILITIES':
            s.write('101 caps\r\nVERSION 2\r\nREADER\r\n.\r\n');
            break;
          case 'MODE':
            s.write('201 reading\r\n');
            break;
          case 'GROUP':
            s.write(arg === group ? `211 ${nums.length} ${low} ${high} ${group}\r\n` : '411 no such group\r\n');
            break;
          case 'STAT': {
            const n = arg.startsWith('<') ? byId(arg) : Number(arg);
            const m = n === undefined ? undefined : articles.get(n);
            s.write(m ? `223 ${n} <${m}>\r\n` : '423 no such article\r\n');
            break;
          }
          case 'OVER': {
            const [from, to] = arg.split('-').map(Number) as [number, number];
            const lines = nums.filter((n) => n >= from && n <= to).map((n) => `${n}\tsubject ${n}\tauthor\tdate\t<${articles.get(n)}>\t\t10\t1\r\n`);
            s.write(`224 overview\r\n${lines.join('')}.\r\n`);
            break;
          }
          case 'ARTICLE': {
            const n = Number(arg);
            const m = articles.get(n);
            s.write(m ? `220 ${n} <${m}>\r\nMessage-ID: <${m}>\r\nSubject: ${n}\r\n\r\nbody ${n}\r\n.\r\n` : '423 no such article\r\n');
            break;
          }
          case 'QUIT':
            s.end('205 bye\r\n');
            break;
          default:
            s.write('500 unknown\r\n');
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as { port: number }).port };
}

let servers: Server[] = [];
afterEach(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  servers = [];
});

async function runOnce(port: number, cursor: string | null, extra: Partial<ConstructorParameters<typeof NntpSource>[0]> = {}): Promise<{ got: string[]; cursor: string | null; events: LiveEvent[] }> {
  const got: string[] = [];
  const events: LiveEvent[] = [];
  const src = new NntpSource({ host: '127.0.0.1', port, group: 'g.test', cursor, pollIntervalMs: 60_000, log: (e) => events.push(e), ...extra });
  await src.start(async (batch) => {
    got.push(...batch.map((m) => m.source.split('#')[1]!));
  });
  for (let i = 0; i < 200 && !events.some((e) => e.kind === 'connected'); i++) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 50));
  await src.stop();
  return { got, cursor: src.cursor(), events };
}

describe('NntpSource (scripted server)', () => {
  it('articles expired below the low-water mark: continues at the low-water mark and logs the gap', async () => {
    const arts = new Map([5, 6, 7].map((n) => [n, `m${n}@x`]));
    const { server, port } = await newsServer('g.test', arts);
    servers.push(server);
    const r = await runOnce(port, formatNntpCursor({ number: 2, messageId: 'm2@x' }));
    expect(r.got).toEqual(['5', '6', '7']);
    expect(r.events.filter((e) => e.kind === 'gap').map((e) => e.message)).toEqual([expect.stringMatching(/articles 3-4 expired/)]);
    expect(r.events.some((e) => e.kind === 'heal')).toBe(false);
    expect(parseNntpCursor(r.cursor!)).toEqual({ number: 7, messageId: 'm7@x' });
  });

  it('holes in the numbering (cancelled articles) are skipped without a gap event', async () => {
    const arts = new Map([1, 2, 4, 7].map((n) => [n, `m${n}@x`]));
    const { server, port } = await newsServer('g.test', arts);
    servers.push(server);
    const r = await runOnce(port, null, { batchSize: 2 });
    expect(r.got).toEqual(['1', '2', '4', '7']);
    expect(r.events.filter((e) => e.kind === 'gap' || e.kind === 'skipped')).toEqual([]);
  });

  it('a bare-number cursor above the high-water mark heals by rewinding to the heal window', async () => {
    const arts = new Map([1, 2, 3, 4].map((n) => [n, `m${n}@x`]));
    const { server, port } = await newsServer('g.test', arts);
    servers.push(server);
    const r = await runOnce(port, '40', { healWindow: 2 });
    expect(r.got).toEqual(['3', '4']);
    expect(r.events.filter((e) => e.kind === 'heal')).toHaveLength(1);
  });

  it('startAt newest: a fresh source only takes what comes after it started', async () => {
    const arts = new Map([1, 2, 3].map((n) => [n, `m${n}@x`]));
    const { server, port } = await newsServer('g.test', arts);
    servers.push(server);
    const r = await runOnce(port, null, { startAt: 'newest' });
    expect(r.got).toEqual([]);
    expect(r.cursor).toBe('3 <m3@x>');
  });

  it('a cursor that is not one of ours is refused at start', async () => {
    await expect(new NntpSource({ host: '127.0.0.1', group: 'g', cursor: 'abc' }).start(async () => undefined)).rejects.toBeInstanceOf(LiveSourceConfigError);
  });
});
