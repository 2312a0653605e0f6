import type { RawMessage } from '../../model/message.js';
import { LiveSourceConfigError } from './errors.js';
import { BaseLiveSource, type LiveSourceCommon, type SessionContext } from './live-source.js';
import { NntpClient, NntpResponseError, type GroupInfo } from './nntp-client.js';

export interface NntpSourceOptions extends LiveSourceCommon {
  host: string;
  /** Default 119. */
  port?: number;
  /** The newsgroup, e.g. org.kernel.vger.bpf. */
  group: string;
  /** Pause between two GROUP polls (ms). Default 10000. */
  pollIntervalMs?: number;
  /** Articles per onMessages call. Default 50. */
  batchSize?: number;
  /** How far back (articles below the high-water mark) to look for the cursor's Message-ID when healing. Default 1000. */
  healWindow?: number;
  /** With no cursor: `oldest` (default) reads the whole group, `newest` only what arrives from now on. */
  startAt?: 'oldest' | 'newest';
  /** Socket timeout (ms). Default 30000. */
  timeoutMs?: number;
}

/** The NNTP cursor: the last article number read and, when known, its Message-ID (to notice renumbering). */
export interface NntpCursor {
  number: number;
  messageId: string | null;
}

export function formatNntpCursor(c: NntpCursor): string {
  return c.messageId ? `${c.number} <${c.messageId}>` : String(c.number);
}

export function parseNntpCursor(s: string): NntpCursor {
  const m = /^(\d+)(?: <([^>]+)>)?$/.exec(s.trim());
  if (!m) throw new LiveSourceConfigError(`NNTP cursor ${JSON.stringify(s)} is not "<article number> <<message-id>>"; give a cursor this source handed out, or none`);
  return { number: Number(m[1]), messageId: m[2] ?? null };
}

/**
 * A newsgroup over NNTP (public-inbox-nntpd, news.gmane.io ...). Polls GROUP for the high-water
 * mark, lists new articles with OVER/XOVER and fetches them with ARTICLE, in batches. The cursor
 * heals itself: each poll checks that the cursor's article number still carries the cursor's
 * Message-ID; when it does not (the server renumbered or was reset, the cursor is above the
 * high-water mark) the Message-ID is looked up (STAT <id>, then an OVER scan of the last
 * `healWindow` articles) and reading resumes after it; when it is gone, reading rewinds to the start
 * of that window (re-delivering is safe: the store drops duplicates) with a `heal` event. Articles
 * expired below the low-water mark are skipped with a `gap` event. A dropped connection reconnects
 * (with backoff) and selects the group again; no such group is a LiveSourceConfigError.
 */
export class NntpSource extends BaseLiveSource {
  readonly name: string;
  private readonly opts: NntpSourceOptions;
  private client: NntpClient | null = null;

  constructor(opts: NntpSourceOptions) {
    super(opts);
    this.opts = opts;
    this.name = `nntp://${opts.host}:${opts.port ?? 119}/${opts.group}`;
  }

  protected override validate(): void {
    if (!this.opts.group || /\s/.test(this.opts.group)) throw new LiveSourceConfigError(`NNTP group ${JSON.stringify(this.opts.group)} is not a newsgroup name`);
    if (this.opts.cursor !== null) parseNntpCursor(this.opts.cursor);
  }

  protected override interrupt(): void {
    this.client?.close();
    this.client = null;
  }

  protected async session(ctx: SessionContext): Promise<void> {
    const client = await NntpClient.connect({ host: this.opts.host, port: this.opts.port ?? 119, timeoutMs: this.opts.timeoutMs });
    this.client = client;
    try {
      await client.capabilities();
      await client.modeReader();
      let first = true;
      while (!ctx.signal.aborted) {
        let g: GroupInfo;
        try {
          g = await client.group(this.opts.group);
        } catch (err) {
          if (err instanceof NntpResponseError && err.code === 411) {
            throw new LiveSourceConfigError(`${this.name}: no such newsgroup (411); check the group name`, this.name);
          }
          throw err;
        }
        if (first) ctx.log('connected', `group ${g.name}: articles ${g.low}-${g.high}`);
        first = false;
        await this.readNew(ctx, client, g);
        ctx.ok();
        await ctx.clock.sleep(this.opts.pollIntervalMs ?? 10_000, ctx.signal);
      }
    } finally {
      client.close();
      if (this.client === client) this.client = null;
    }
  }

  /** Where reading continues: the cursor checked against the server, healed when it does not match. */
  async resumePoint(ctx: SessionContext, client: NntpClient, g: GroupInfo): Promise<NntpCursor> {
    const committed = ctx.cursor();
    const empty = g.count === 0 || g.high < g.low;
    if (committed === null) {
      if (this.opts.startAt === 'newest' && !empty) {
        const s = await client.stat(g.high);
        return { number: g.high, messageId: s?.messageId ?? null };
      }
      return { number: Math.max(0, g.low - 1), messageId: null };
    }
    const c = parseNntpCursor(committed);
    if (c.number === 0) return c;
    if (c.messageId) {
      const here = c.number >= g.low && c.number <= g.high ? await client.stat(c.number) : null;
      if (here && here.messageId === c.messageId) return c;
      if (!here && c.number < g.low) {
        // expired: the cursor's article is below the low-water mark, numbers are still ours
        return c;
      }
      return this.heal(ctx, client, g, c, here ? `article ${c.number} is now <${here.messageId}>` : `article ${c.number} is above the high-water mark ${g.high}`);
    }
    if (c.number > g.high) {
      return this.heal(ctx, client, g, c, `article ${c.number} is above the high-water mark ${g.high}`);
    }
    return c;
  }

  private async heal(ctx: SessionContext, client: NntpClient, g: GroupInfo, c: NntpCursor, why: string): Promise<NntpCursor> {
    const window = this.opts.healWindow ?? 1000;
    if (c.messageId) {
      const byId = await client.stat(c.messageId);
      if (byId && byId.number > 0 && byId.number >= g.low && byId.number <= g.high) {
        ctx.log('heal', `${this.name}: ${why} (renumbered); <${c.messageId}> is article ${byId.number}, continuing after it`, { cursor: formatNntpCursor(c) });
        return { number: byId.number, messageId: c.messageId };
      }
      const from = Math.max(g.low, g.high - window + 1);
      if (g.high >= from) {
        const ov = await client.over(from, g.high);
        const hit = ov.find((e) => e.messageId === c.messageId);
        if (hit) {
          ctx.log('heal', `${this.name}: ${why} (renumbered); <${c.messageId}> found at ${hit.number} by overview, continuing after it`, { cursor: formatNntpCursor(c) });
          return { number: hit.number, messageId: c.messageId };
        }
      }
    }
    const rewindTo = Math.max(g.low, g.high - window + 1) - 1;
    ctx.log('heal', `${this.name}: ${why}; the cursor's article is not on the server any more: rewinding to ${rewindTo + 1} (${Math.max(0, g.high - rewindTo)} article(s) may come again)`, {
      cursor: formatNntpCursor(c),
      count: Math.max(0, g.high - rewindTo),
    });
    return { number: Math.max(0, rewindTo), messageId: null };
  }

  private async readNew(ctx: SessionContext, client: NntpClient, g: GroupInfo): Promise<void> {
    let c = await this.resumePoint(ctx, client, g);
    if (c.number + 1 < g.low && g.count > 0) {
      ctx.log('gap', `${this.name}: articles ${c.number + 1}-${g.low - 1} expired before they were read; continuing at ${g.low}`, { count: g.low - 1 - c.number });
      c = { number: g.low - 1, messageId: null };
    }
    const size = this.opts.batchSize ?? 50;
    let delivered = false;
    let next = c.number + 1;
    while (next <= g.high && !ctx.signal.aborted) {
      const to = Math.min(g.high, next + size - 1);
      const listed = await client.over(next, to);
      const batch: RawMessage[] = [];
      let last: NntpCursor | null = null;
      for (const e of listed.sort((a, b) => a.number - b.number)) {
        if (e.number < next || e.number > to) continue;
        const art = await client.article(e.number);
        if (!art) {
          ctx.log('skipped', `${this.name}: article ${e.number} listed but gone`);
          continue;
        }
        batch.push({ source: `${this.name}#${e.number}`, bytes: art.bytes });
        last = { number: e.number, messageId: art.messageId || e.messageId || null };
      }
      if (last) {
        await ctx.deliver(batch, formatNntpCursor(last));
        delivered = true;
      }
      next = to + 1;
    }
    // A healed or skipped-ahead cursor is handed out even without new articles, so it is stored.
    if (!delivered && c.number > 0 && formatNntpCursor(c) !== ctx.cursor() && !ctx.signal.aborted) {
      await ctx.deliver([], formatNntpCursor(c));
    }
  }
}
