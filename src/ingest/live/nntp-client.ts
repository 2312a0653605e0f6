import { connect, type Socket } from 'node:net';
import { ConnectionLostError } from '../../model/errors.js';

/** One NNTP response: the status line and, for multi-line responses, the dot-unstuffed lines (without line endings). */
export interface NntpResponse {
  code: number;
  text: string;
  lines: Buffer[] | null;
}

export interface GroupInfo {
  count: number;
  low: number;
  high: number;
  name: string;
}

/** One line of OVER / XOVER. */
export interface OverviewEntry {
  number: number;
  subject: string;
  from: string;
  date: string;
  messageId: string;
  references: string;
}

/** An article and its number/Message-ID as the server gave them. */
export interface NntpArticle {
  number: number;
  messageId: string;
  /** The article, lines joined with LF (the CRLF of the wire removed), dot-stuffing undone. */
  bytes: Buffer;
}

/** A response code the caller did not expect (e.g. 411 no such group). */
export class NntpResponseError extends Error {
  constructor(readonly command: string, readonly code: number, readonly text: string) {
    super(`NNTP ${command.split(' ')[0]}: ${code} ${text}`);
    this.name = 'NntpResponseError';
  }
}

/** RFC 3977 codes followed by a multi-line data block (for the commands this client sends). */
const MULTI_LINE = new Set([100, 101, 215, 220, 221, 222, 224, 225, 230, 231]);

export interface NntpConnectOptions {
  host: string;
  port: number;
  /** Connect / greeting / per-command timeout (ms). Default 30000. */
  timeoutMs?: number;
}

/**
 * A small NNTP reader client over a plain TCP socket (RFC 3977, with the XOVER of RFC 2980):
 * one command at a time, multi-line responses ended by "." with dot-stuffing undone, Buffers
 * throughout so any bytes of an article survive. A dropped connection or a timeout rejects the
 * pending command with ConnectionLostError; the client is then unusable (make a new one).
 */
export class NntpClient {
  private buf: Buffer = Buffer.alloc(0);
  private pending: { multi: (code: number) => boolean; resolve: (r: NntpResponse) => void; reject: (e: Error) => void; command: string } | null = null;
  private status: { code: number; text: string } | null = null;
  private lines: Buffer[] = [];
  private closedError: Error | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  greeting: { code: number; text: string } = { code: 0, text: '' };
  /** Whether the server allows posting (greeting 200). */
  get postingAllowed(): boolean {
    return this.greeting.code === 200;
  }

  private constructor(private readonly socket: Socket, readonly where: string, timeoutMs: number) {
    socket.on('data', (c: Buffer) => this.onData(c));
    socket.on('error', (e) => this.fail(new ConnectionLostError(`${where}: ${e.message}`, where)));
    socket.on('close', () => this.fail(new ConnectionLostError(`${where}: connection closed by the server`, where)));
    socket.on('timeout', () => {
      this.fail(new ConnectionLostError(`${where}: no answer within ${timeoutMs} ms`, where));
      socket.destroy();
    });
  }

  static async connect(opts: NntpConnectOptions): Promise<NntpClient> {
    const where = `nntp://${opts.host}:${opts.port}`;
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const socket = connect({ host: opts.host, port: opts.port });
    socket.setTimeout(timeoutMs);
    socket.setNoDelay(true);
    const client = new NntpClient(socket, where, timeoutMs);
    const greeting = await client.read('(greeting)', () => false);
    client.greeting = { code: greeting.code, text: greeting.text };
    if (greeting.code !== 200 && greeting.code !== 201) {
      client.close();
      throw new ConnectionLostError(`${where}: server refused service: ${greeting.code} ${greeting.text}`, where);
    }
    return client;
  }

  get closed(): boolean {
    return this.closedError !== null;
  }

  private fail(err: Error): void {
    if (!this.closedError) this.closedError = err;
    const p = this.pending;
    this.pending = null;
    p?.reject(this.closedError);
  }

  private read(command: string, multi: (code: number) => boolean): Promise<NntpResponse> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      this.pending = { multi, resolve, reject, command };
      this.status = null;
      this.lines = [];
      this.parse();
    });
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    this.parse();
  }

  private parse(): void {
    const p = this.pending;
    if (!p) return;
    let i = 0;
    while (this.pending === p) {
      const nl = this.buf.indexOf(0x0a, i);
      if (nl === -1) break;
      const end = nl > i && this.buf[nl - 1] === 0x0d ? nl - 1 : nl;
      const line = this.buf.subarray(i, end);
      i = nl + 1;
      if (!this.status) {
        const text = line.toString('utf8');
        const m = /^(\d{3})(?:\s(.*))?$/.exec(text);
        if (!m) {
          this.pending = null;
          this.closedError = new ConnectionLostError(`${this.where}: not an NNTP response: ${JSON.stringify(text.slice(0, 80))}`, this.where);
          p.reject(this.closedError);
          this.socket.destroy();
          break;
        }
        this.status = { code: Number(m[1]), text: m[2] ?? '' };
        if (!p.multi(this.status.code)) {
          this.pending = null;
          p.resolve({ ...this.status, lines: null });
        }
      } else if (line.length === 1 && line[0] === 0x2e) {
        this.pending = null;
        p.resolve({ ...this.status, lines: this.lines });
      } else {
        // dot-stuffing: a line starting with "." was sent with one more "."
        this.lines.push(Buffer.from(line[0] === 0x2e ? line.subarray(1) : line));
      }
    }
    this.buf = i < this.buf.length ? this.buf.subarray(i) : Buffer.alloc(0);
  }

  /** Send one command line and read its response (multi-line when the code says so). Commands are serialised. */
  command(line: string): Promise<NntpResponse> {
    if (/[\r\n]/.test(line)) return Promise.reject(new Error('an NNTP command is one line'));
    const run = async (): Promise<NntpResponse> => {
      if (this.closedError) throw this.closedError;
      const r = this.read(line, (code) => MULTI_LINE.has(code));
      this.socket.write(`${line}\r\n`);
      return r;
    };
    const r = this.queue.then(run, run);
    this.queue = r.catch(() => undefined);
    return r;
  }

  private async expect(line: string, ...codes: number[]): Promise<NntpResponse> {
    const r = await this.command(line);
    if (!codes.includes(r.code)) throw new NntpResponseError(line, r.code, r.text);
    return r;
  }

  /** CAPABILITIES (RFC 3977 5.2); [] when the server does not know the command. */
  async capabilities(): Promise<string[]> {
    const r = await this.command('CAPABILITIES');
    return r.code === 101 && r.lines ? r.lines.map((l) => l.toString('utf8').trim()).filter(Boolean) : [];
  }

  /** MODE READER; true when the server now reads (200/201). */
  async modeReader(): Promise<boolean> {
    const r = await this.command('MODE READER');
    return r.code === 200 || r.code === 201;
  }

  /** GROUP: select a group; NntpResponseError 411 when there is no such group. */
  async group(name: string): Promise<GroupInfo> {
    const r = await this.expect(`GROUP ${name}`, 211);
    const [count, low, high, gname] = r.text.split(/\s+/);
    return { count: Number(count), low: Number(low), high: Number(high), name: gname ?? name };
  }

  /** STAT by number or <message-id>: the number and Message-ID, or null when there is no such article. */
  async stat(which: number | string): Promise<{ number: number; messageId: string } | null> {
    const arg = typeof which === 'number' ? String(which) : `<${which}>`;
    const r = await this.command(`STAT ${arg}`);
    if (r.code === 423 || r.code === 430 || r.code === 420) return null;
    if (r.code !== 223) throw new NntpResponseError(`STAT ${arg}`, r.code, r.text);
    const m = /^(\d+)\s+<([^>]*)>/.exec(r.text);
    return m ? { number: Number(m[1]), messageId: m[2]! } : null;
  }

  /** OVER (or XOVER for servers without OVER) of a range of article numbers; missing articles are absent. */
  async over(from: number, to: number): Promise<OverviewEntry[]> {
    let r = await this.command(`OVER ${from}-${to}`);
    if (r.code === 500 || r.code === 501) r = await this.command(`XOVER ${from}-${to}`);
    if (r.code === 423 || r.code === 420) return [];
    if (r.code !== 224 || !r.lines) throw new NntpResponseError(`OVER ${from}-${to}`, r.code, r.text);
    const out: OverviewEntry[] = [];
    for (const l of r.lines) {
      const f = l.toString('utf8').split('\t');
      const n = Number(f[0]);
      if (!Number.isInteger(n)) continue;
      out.push({ number: n, subject: f[1] ?? '', from: f[2] ?? '', date: f[3] ?? '', messageId: (f[4] ?? '').trim().replace(/^<|>$/g, ''), references: f[5] ?? '' });
    }
    return out;
  }

  private async fetchText(cmd: 'ARTICLE' | 'HEAD' | 'BODY', which: number | string, ok: number): Promise<NntpArticle | null> {
    const arg = typeof which === 'number' ? String(which) : `<${which}>`;
    const r = await this.command(`${cmd} ${arg}`);
    if (r.code === 423 || r.code === 430 || r.code === 420) return null;
    if (r.code !== ok || !r.lines) throw new NntpResponseError(`${cmd} ${arg}`, r.code, r.text);
    const m = /^(\d+)\s+<([^>]*)>/.exec(r.text);
    const parts: Buffer[] = [];
    for (const l of r.lines) parts.push(l, Buffer.from('\n'));
    return { number: m ? Number(m[1]) : typeof which === 'number' ? which : 0, messageId: m ? m[2]! : typeof which === 'string' ? which : '', bytes: Buffer.concat(parts) };
  }

  /** ARTICLE by number or Message-ID; null when there is no such article (expired, cancelled). */
  article(which: number | string): Promise<NntpArticle | null> {
    return this.fetchText('ARTICLE', which, 220);
  }

  head(which: number | string): Promise<NntpArticle | null> {
    return this.fetchText('HEAD', which, 221);
  }

  body(which: number | string): Promise<NntpArticle | null> {
    return this.fetchText('BODY', which, 222);
  }

  /** QUIT politely (best effort), then close. */
  async quit(): Promise<void> {
    if (!this.closedError) {
      await Promise.race([this.command('QUIT').catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
    }
    this.close();
  }

  close(): void {
    this.fail(new ConnectionLostError(`${this.where}: closed`, this.where));
    this.socket.destroy();
  }
}
