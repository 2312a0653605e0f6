import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionLostError } from '../../model/errors.js';
import { NntpClient } from './nntp-client.js';

/** A scripted NNTP server: `answer(command, socket)` writes raw bytes (split as the test likes). */
async function fakeServer(greeting: string, answer: (cmd: string, s: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => {
    s.write(greeting);
    let buf = '';
    s.on('data', (c) => {
      buf += c.toString('latin1');
      let i;
      while ((i = buf.indexOf('\r\n')) !== -1) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        answer(line, s);
      }
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as { port: number }).port };
}

let servers: Server[] = [];
afterEach(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  servers = [];
});

describe('NntpClient', () => {
  it('undoes dot-stuffing and ends multi-line data at "." even when bytes arrive one at a time', async () => {
    const { server, port } = await fakeServer('200 hello\r\n', (cmd, s) => {
      if (cmd === 'ARTICLE 7') {
        const wire = '220 7 <a@b> article\r\nSubject: t\r\n\r\n..\r\n..x\r\n...\r\nend\r\n.\r\n';
        let i = 0;
        const tick = (): void => {
          if (i < wire.length) {
            s.write(wire[i++]!);
            setImmediate(tick);
          }
        };
        tick();
      } else s.write('500 what?\r\n');
    });
    servers.push(server);
    const c = await NntpClient.connect({ host: '127.0.0.1', port });
    expect(c.postingAllowed).toBe(true);
    const a = (await c.article(7))!;
    expect(a).toMatchObject({ number: 7, messageId: 'a@b' });
    expect(a.bytes.toString()).toBe('Subject: t\n\n.\n.x\n..\nend\n');
    c.close();
  });

  it('a connection lost in the middle of a response rejects with ConnectionLostError, and so does every later command', async () => {
    const { server, port } = await fakeServer('201 hi\r\n', (cmd, s) => {
      if (cmd.startsWith('OVER')) {
        s.write('224 overview\r\n1\tsubj\tfrom\tdate\t<m@x>\t\r\n');
        setTimeout(() => s.destroy(), 10);
      }
    });
    servers.push(server);
    const c = await NntpClient.connect({ host: '127.0.0.1', port });
    await expect(c.over(1, 5)).rejects.toBeInstanceOf(ConnectionLostError);
    await expect(c.group('x')).rejects.toBeInstanceOf(ConnectionLostError);
    expect(c.closed).toBe(true);
  });

  it('no answer within the timeout is a lost connection', async () => {
    const { server, port } = await fakeServer('200 hello\r\n', () => undefined);
    servers.push(server);
    const c = await NntpClient.connect({ host: '127.0.0.1', port, timeoutMs: 100 });
    await expect(c.group('g')).rejects.toThrow(/no answer within 100 ms/);
  });

  it('a server that refuses service, or speaks something else, is a lost connection; a refused port too', async () => {
    const busy = await fakeServer('502 go away\r\n', () => undefined);
    const http = await fakeServer('HTTP/1.1 400 Bad Request\r\n', () => undefined);
    servers.push(busy.server, http.server);
    await expect(NntpClient.connect({ host: '127.0.0.1', port: busy.port })).rejects.toThrow(/502 go away/);
    await expect(NntpClient.connect({ host: '127.0.0.1', port: http.port })).rejects.toThrow(/not an NNTP response/);
    const port = http.port;
    await new Promise((r) => http.server.close(r));
    servers = servers.filter((s) => s !== http.server);
    await expect(NntpClient.connect({ host: '127.0.0.1', port })).rejects.toBeInstanceOf(ConnectionLostError);
  });

  it('falls back to XOVER when OVER is unknown, and maps 423/430 to null', async () => {
    const { server, port } = await fakeServer('200 hello\r\n', (cmd, s) => {
      if (cmd.startsWith('OVER')) s.write('500 unknown command\r\n');
      else if (cmd === 'XOVER 1-2') s.write('224 ok\r\n2\tsubj\tfrom\tdate\t<two@x>\t<one@x>\r\n.\r\n');
      else if (cmd.startsWith('STAT')) s.write('430 no such article\r\n');
      else if (cmd.startsWith('GROUP')) s.write('211 5 10 14 my.group\r\n');
    });
    servers.push(server);
    const c = await NntpClient.connect({ host: '127.0.0.1', port });
    expect(await c.over(1, 2)).toEqual([{ number: 2, subject: 'subj', from: 'from', date: 'date', messageId: 'two@x', references: '<one@x>' }]);
    expect(await c.stat('nope@x')).toBeNull();
    expect(await c.group('my.group')).toEqual({ count: 5, low: 10, high: 14, name: 'my.group' });
    c.close();
  });
});
