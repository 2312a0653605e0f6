/**
 * The threads a streaming ingest still holds: messages grouped by the ids they carry and
 * name (their own Message-ID, In-Reply-To, References, and for unthreaded series members a
 * marker key), merged when a message links two groups, and handed out once quiet: when no
 * message has joined them for a while (counted in messages read).
 */
import type { CompactMail } from './compact-mail.js';

export interface PendingThread {
  /** In arrival order. */
  mails: CompactMail[];
  /** Read count at which each mail arrived (parallel to mails). */
  arrived: number[];
  /** Every key that leads to this thread. */
  keys: string[];
  /** Read count at its last message. */
  last: number;
  /** Merged into another thread, or handed out. */
  gone: boolean;
}

export class PendingThreads {
  private readonly byKey = new Map<string, PendingThread>();
  /** (thread, last) in the order messages arrived; entries whose `last` is stale are skipped. */
  private queue: { t: PendingThread; last: number }[] = [];
  private head = 0;
  private live = 0;

  /** Threads held now. */
  get size(): number {
    return this.live;
  }

  /**
   * Adds a mail under `keys` (ids: every thread holding one of them is merged with it) and
   * `markers` (a thread holding one is joined only when it has no mail with this one's
   * counter: a marker leads to the latest thread that took it).
   */
  add(mail: CompactMail, keys: readonly string[], markers: readonly string[], now: number): void {
    let target: PendingThread | null = null;
    const others: PendingThread[] = [];
    const joined = [...keys];
    for (const k of markers) {
      const t = this.byKey.get(k);
      if (t && !t.mails.some((m) => m.parsed.counter === mail.parsed.counter)) joined.push(k);
    }
    for (const k of joined) {
      const t = this.byKey.get(k);
      if (!t || t === target || others.includes(t)) continue;
      if (target === null) target = t;
      else if (t.keys.length > target.keys.length) {
        others.push(target);
        target = t;
      } else others.push(t);
    }
    if (target === null) {
      target = { mails: [], arrived: [], keys: [], last: now, gone: false };
      this.live++;
    }
    for (const o of others) {
      for (const k of o.keys) {
        this.byKey.set(k, target);
        target.keys.push(k);
      }
      mergeInto(target, o);
      o.gone = true;
      this.live--;
    }
    for (const k of [...keys, ...markers]) {
      if (this.byKey.get(k) !== target) {
        this.byKey.set(k, target);
        target.keys.push(k);
      }
    }
    target.mails.push(mail);
    target.arrived.push(now);
    target.last = now;
    this.queue.push({ t: target, last: now });
  }

  /** Removes and yields the threads whose last message was read at or before `before`, oldest first. */
  *takeQuiet(before: number): Generator<PendingThread> {
    while (this.head < this.queue.length) {
      const e = this.queue[this.head] as { t: PendingThread; last: number };
      if (e.t.gone || e.last !== e.t.last) {
        this.head++;
        continue;
      }
      if (e.last > before) break;
      this.head++;
      yield this.remove(e.t);
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** Removes and yields every thread still held, in the order of their last message. */
  *takeAll(): Generator<PendingThread> {
    yield* this.takeQuiet(Number.POSITIVE_INFINITY);
  }

  private remove(t: PendingThread): PendingThread {
    for (const k of t.keys) if (this.byKey.get(k) === t) this.byKey.delete(k);
    t.gone = true;
    this.live--;
    return t;
  }
}

/** Moves o's mails into t, keeping arrival order (assembly breaks ties by it). */
function mergeInto(t: PendingThread, o: PendingThread): void {
  const mails: CompactMail[] = [];
  const arrived: number[] = [];
  let i = 0;
  let j = 0;
  while (i < t.mails.length || j < o.mails.length) {
    const fromT = j >= o.mails.length || (i < t.mails.length && (t.arrived[i] as number) < (o.arrived[j] as number));
    if (fromT) {
      mails.push(t.mails[i] as CompactMail);
      arrived.push(t.arrived[i++] as number);
    } else {
      mails.push(o.mails[j] as CompactMail);
      arrived.push(o.arrived[j++] as number);
    }
  }
  t.mails = mails;
  t.arrived = arrived;
}
