import { gunzipSync } from 'node:zlib';
import type { RawMessage } from '../../model/message.js';
import { ConnectionLostError } from '../../model/errors.js';
import { isGzipMagic } from '../sources/read-mbox-file.js';
import { splitMbox } from '../sources/split-mbox.js';
import { parseAtomFeed, type FeedEntry } from './atom-feed.js';
import { HttpStatusError, LiveSourceConfigError, parseRetryAfter } from './errors.js';
import { BaseLiveSource, type LiveSourceCommon, type SessionContext } from './live-source.js';
import { messageIdOf, receivedTime } from './received-time.js';
import { PACKAGE_VERSION } from './version.js';

export interface LoreHttpSourceOptions extends LiveSourceCommon {
  /** The inbox URL, e.g. https://lore.kernel.org/bpf/ (a public-inbox-httpd inbox). */
  inboxUrl: string;
  /** Pause between two polls of new.atom (ms). Default 30000. */
  pollIntervalMs?: number;
  /** Pause between the end of one request and the start of the next (ms). Default 1000. */
  pauseMs?: number;
  /** Who to contact about this bot: an address or URL, put in the User-Agent. */
  contact?: string;
  /** Replaces the whole User-Agent (default `bpf-review/<version> (+<contact>)`). */
  userAgent?: string;
  /** `thread` (default): fetch each new thread's t.mbox.gz (its older messages come too, as context); `raw`: each new message. */
  fetchMode?: 'thread' | 'raw';
  /** Per-request timeout (ms). Default 60000. */
  requestTimeoutMs?: number;
  /** Messages per onMessages call during catch-up. Default 100. */
  batchSize?: number;
  /** The fetch implementation (tests). Default the global fetch. */
  fetch?: typeof fetch;
}

/** The lore cursor: the received time (unix seconds) of the newest message handed out, and the Message-IDs received in that second. */
export interface LoreCursor {
  rt: number;
  ids: string[];
}

export function formatLoreCursor(c: LoreCursor): string {
  return JSON.stringify({ rt: c.rt, ids: [...c.ids].sort() });
}

/** Read a cursor written by formatLoreCursor; a LiveSourceConfigError for anything else. */
export function parseLoreCursor(s: string): LoreCursor {
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch {
    v = null;
  }
  const o = v as { rt?: unknown; ids?: unknown } | null;
  if (!o || typeof o.rt !== 'number' || !Number.isInteger(o.rt) || !Array.isArray(o.ids) || !o.ids.every((x) => typeof x === 'string')) {
    throw new LiveSourceConfigError(`lore cursor ${JSON.stringify(s)} is not {"rt":<unix seconds>,"ids":[<message-id>...]}; give a cursor this source handed out, or none to start from the feed`);
  }
  return { rt: o.rt, ids: o.ids as string[] };
}

/** Whether a message (received `rt`, id `mid`) is after the cursor. */
export function isAfter(c: LoreCursor | null, rt: number, mid: string): boolean {
  if (!c) return true;
  return rt > c.rt || (rt === c.rt && !c.ids.includes(mid));
}

/** The cursor after also handing out (rt, mid). */
export function advance(c: LoreCursor | null, rt: number, mid: string): LoreCursor {
  if (!c || rt > c.rt) return { rt, ids: [mid] };
  if (rt === c.rt && !c.ids.includes(mid)) return { rt, ids: [...c.ids, mid] };
  return c;
}

interface Got {
  status: number;
  body: Buffer;
}

/**
 * lore over HTTP (public-inbox-httpd). Each poll reads `<inbox>/new.atom`. Entries after the cursor
 * are fetched one request at a time (`<mid>/t.mbox.gz` or `<mid>/raw`) and handed out oldest first.
 * When every entry of the feed is new (the feed window may have slid past messages while we were
 * away) the source first catches up with a search on the received time, `POST <inbox>/?q=rt:<cursor>..&x=m`
 * (an mbox.gz of every match), so nothing is skipped. Polite: one request at a time, `pauseMs`
 * between requests, a User-Agent with a contact, backoff (honouring Retry-After) on 429, 5xx and
 * network errors. A 404 for the feed (no such inbox) or another 4xx is a LiveSourceConfigError.
 */
export class LoreHttpSource extends BaseLiveSource {
  readonly name: string;
  readonly inboxUrl: string;
  private readonly opts: LoreHttpSourceOptions;
  private readonly fetchFn: typeof fetch;
  private lastRequestEnd = 0;
  /** Requests made (all kinds), for tests and metrics. */
  requests = 0;

  constructor(opts: LoreHttpSourceOptions) {
    super(opts);
    this.opts = opts;
    this.inboxUrl = opts.inboxUrl.endsWith('/') ? opts.inboxUrl : `${opts.inboxUrl}/`;
    this.name = `lore:${this.inboxUrl}`;
    this.fetchFn = opts.fetch ?? fetch;
  }

  get userAgent(): string {
    return this.opts.userAgent ?? `bpf-review/${PACKAGE_VERSION} (+${this.opts.contact ?? 'https://github.com/bpf-review'})`;
  }

  protected override validate(): void {
    let u: URL;
    try {
      u = new URL(this.inboxUrl);
    } catch {
      throw new LiveSourceConfigError(`${this.opts.inboxUrl}: not a URL; give the inbox URL, e.g. https://lore.kernel.org/bpf/`, this.opts.inboxUrl);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      throw new LiveSourceConfigError(`${this.opts.inboxUrl}: only http(s) URLs can be polled`, this.opts.inboxUrl);
    }
    if (this.opts.cursor !== null) parseLoreCursor(this.opts.cursor);
  }

  protected async session(ctx: SessionContext): Promise<void> {
    const interval = this.opts.pollIntervalMs ?? 30_000;
    let first = true;
    while (!ctx.signal.aborted) {
      await this.poll(ctx);
      if (first) ctx.log('connected', `polling ${this.inboxUrl}new.atom every ${interval} ms`);
      first = false;
      ctx.ok();
      await ctx.clock.sleep(interval, ctx.signal);
    }
  }

  /** One poll: the feed, a catch-up search when needed, then the new messages. */
  async poll(ctx: SessionContext): Promise<void> {
    const feedRes = await this.get(`${this.inboxUrl}new.atom`, ctx.signal, 'feed');
    if (feedRes.status === 404) {
      throw new LiveSourceConfigError(`${this.inboxUrl}new.atom: 404, no such inbox; check the inbox URL (e.g. https://lore.kernel.org/bpf/)`, this.inboxUrl);
    }
    const entries = parseAtomFeed(feedRes.body.toString('utf8'), this.inboxUrl).sort((a, b) => a.received - b.received || (a.messageId < b.messageId ? -1 : 1));
    const committed = ctx.cursor();
    const cur = committed === null ? null : parseLoreCursor(committed);
    const fresh = entries.filter((e) => isAfter(cur, e.received, e.messageId));
    if (cur && entries.length > 0 && fresh.length === entries.length) {
      // Nothing we have seen is left in the feed: messages may have slid out of its window.
      if (await this.catchUp(ctx, cur)) return;
    }
    await this.fetchEntries(ctx, fresh, cur);
  }

  /** Search rt:<cursor>.. for everything received since; false when the server cannot search. */
  private async catchUp(ctx: SessionContext, cur: LoreCursor): Promise<boolean> {
    const url = `${this.inboxUrl}?q=${encodeURIComponent(`rt:${cur.rt}..`)}&x=m`;
    const res = await this.get(url, ctx.signal, 'search', { method: 'POST', body: 'z=results+only', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    if (res.status === 404) return true; // "No results found": nothing since the cursor
    if (res.status === 501 || res.status >= 400) {
      ctx.log('gap', `${this.inboxUrl}: search unavailable (HTTP ${res.status}); messages that left the feed while we were away may be missed`);
      return false;
    }
    const msgs = await this.mboxOf(res.body, `${url}`);
    const items = msgs
      .map((m) => ({ m, mid: messageIdOf(m.bytes) ?? '', rt: receivedTime(m.bytes) ?? cur.rt }))
      .filter((x) => x.mid !== '' && !(x.rt <= cur.rt && cur.ids.includes(x.mid)))
      .sort((a, b) => a.rt - b.rt);
    ctx.log('catch-up', `${items.length} message(s) received since ${new Date(cur.rt * 1000).toISOString()} found by search`, { count: items.length });
    const size = this.opts.batchSize ?? 100;
    let c: LoreCursor = cur;
    for (let i = 0; i < items.length; i += size) {
      const chunk = items.slice(i, i + size);
      for (const x of chunk) c = advance(c, Math.max(x.rt, c.rt), x.mid);
      await ctx.deliver(
        chunk.map((x) => x.m),
        formatLoreCursor(c),
      );
    }
    return true;
  }

  /** Fetch the messages of the new feed entries, oldest first; the cursor only covers a complete prefix. */
  private async fetchEntries(ctx: SessionContext, fresh: FeedEntry[], cur: LoreCursor | null): Promise<void> {
    const mode = this.opts.fetchMode ?? 'thread';
    const have = new Set<string>(); // Message-IDs fetched during this poll
    let c = cur;
    for (let i = 0; i < fresh.length; i++) {
      if (ctx.signal.aborted) return;
      const e = fresh[i]!;
      const batch: RawMessage[] = [];
      if (!have.has(e.messageId)) {
        const esc = encodeURIComponent(e.messageId).replace(/%40/g, '@');
        const url = mode === 'thread' ? `${this.inboxUrl}${esc}/t.mbox.gz` : `${this.inboxUrl}${esc}/raw`;
        const res = await this.get(url, ctx.signal, 'message');
        if (res.status === 404 || res.status === 410) {
          ctx.log('skipped', `${e.messageId}: listed in the feed but HTTP ${res.status} now (removed?)`);
        } else {
          for (const m of await this.mboxOf(res.body, url)) {
            const mid = messageIdOf(m.bytes);
            if (mid !== null && have.has(mid)) continue;
            if (mid !== null) have.add(mid);
            batch.push(m);
          }
          if (!have.has(e.messageId) && mode === 'thread') {
            // Not in its own thread mbox (a race with a new post, a broken thread): take it alone.
            const rawUrl = `${this.inboxUrl}${esc}/raw`;
            const raw = await this.get(rawUrl, ctx.signal, 'message');
            if (raw.status < 400) for (const m of await this.mboxOf(raw.body, rawUrl)) batch.push(m);
            have.add(e.messageId);
          }
        }
      }
      c = advance(c, e.received, e.messageId);
      // Later entries already fetched with this thread are covered by the same batch.
      while (i + 1 < fresh.length && have.has(fresh[i + 1]!.messageId)) {
        i += 1;
        c = advance(c, fresh[i]!.received, fresh[i]!.messageId);
      }
      await ctx.deliver(batch, formatLoreCursor(c));
    }
  }

  private async mboxOf(body: Buffer, name: string): Promise<RawMessage[]> {
    let bytes = body;
    if (isGzipMagic(bytes)) {
      try {
        bytes = gunzipSync(bytes);
      } catch (err) {
        throw new ConnectionLostError(`${name}: truncated or corrupt gzip (${(err as Error).message})`, name);
      }
    }
    if (!/^\s*From /.test(bytes.toString('latin1', 0, 64))) {
      return bytes.length > 0 ? [{ source: name, bytes }] : [];
    }
    const out: RawMessage[] = [];
    for await (const m of splitMbox([bytes], name)) out.push(m);
    return out;
  }

  /** One polite request: waits out the pause, sends the User-Agent, maps failures to retryable or config errors. */
  private async get(url: string, signal: AbortSignal, what: string, init: RequestInit = {}): Promise<Got> {
    const pause = this.opts.pauseMs ?? 1000;
    const wait = this.lastRequestEnd + pause - this.clock.now();
    if (this.lastRequestEnd > 0 && wait > 0) await this.clock.sleep(wait, signal);
    if (signal.aborted) throw new ConnectionLostError(`${url}: stopped`, url);
    const timeout = AbortSignal.timeout(this.opts.requestTimeoutMs ?? 60_000);
    const both = AbortSignal.any([signal, timeout]);
    this.requests += 1;
    try {
      const res = await this.fetchFn(url, {
        ...init,
        headers: { 'user-agent': this.userAgent, accept: what === 'feed' ? 'application/atom+xml' : '*/*', ...(init.headers as Record<string, string> | undefined) },
        signal: both,
        redirect: 'follow',
      });
      const body = Buffer.from(await res.arrayBuffer());
      // 501 to a search: this public-inbox has no search index (indexlevel basic); the caller logs a gap
      if (what === 'search' && res.status === 501) return { status: res.status, body };
      if (res.status === 429 || res.status >= 500 || res.status === 408) {
        const ra = parseRetryAfter(res.headers.get('retry-after'), this.clock.now());
        throw new HttpStatusError(`${url}: HTTP ${res.status}${ra !== null ? ` (Retry-After ${Math.round(ra / 1000)} s)` : ''}`, url, res.status, ra);
      }
      if (res.status >= 400 && res.status !== 404 && res.status !== 410) {
        throw new LiveSourceConfigError(`${url}: HTTP ${res.status}; check the inbox URL and that the server allows this client`, url);
      }
      return { status: res.status, body };
    } catch (err) {
      if (err instanceof HttpStatusError || err instanceof LiveSourceConfigError) throw err;
      const reason = timeout.aborted ? `no answer within ${this.opts.requestTimeoutMs ?? 60_000} ms` : ((err as Error & { cause?: Error }).cause?.message ?? (err as Error).message);
      throw new ConnectionLostError(`${url}: ${reason}`, url);
    } finally {
      this.lastRequestEnd = this.clock.now();
    }
  }
}
