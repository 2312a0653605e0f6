/**
 * Threads from Message-ID, In-Reply-To and References (a small JWZ threader).
 *
 * Pure and order-independent: the same set of messages gives the same threads in any
 * arrival order. Tolerates missing parents (the thread's root is then the oldest id we
 * know of, with `rootMissing`), duplicated Message-IDs (the first copy wins, later copies
 * are ignored here and counted by `assembleSeries`), In-Reply-To without References,
 * and loops in References (a link that would close a loop is dropped).
 */
import type { Thread } from '../../model/series.js';

/** What threading needs of a message; `Message` and the pipeline's compact form both fit. */
export interface ThreadableMessage {
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  date: string | null;
}

/**
 * The parent a message names for itself: In-Reply-To when present (git send-email,
 * b4 and patchwork agree on it), else the last References entry. Never itself.
 */
export function parentIdOf(m: ThreadableMessage): string | null {
  if (m.inReplyTo && m.inReplyTo !== m.messageId) return m.inReplyTo;
  for (let i = m.references.length - 1; i >= 0; i--) {
    const r = m.references[i] as string;
    if (r !== m.messageId) return r;
  }
  return null;
}

/**
 * Ancestors a message names, closest first: In-Reply-To, then References from the
 * newest to the oldest, without duplicates and without itself.
 */
export function ancestorIdsOf(m: ThreadableMessage): string[] {
  const out: string[] = [];
  const seen = new Set<string>([m.messageId]);
  const push = (id: string | null): void => {
    if (id && !seen.has(id)) {
      seen.add(id);
      out.push(id);
    }
  };
  push(m.inReplyTo);
  for (let i = m.references.length - 1; i >= 0; i--) push(m.references[i] as string);
  return out;
}

export function assembleThreads(messages: readonly ThreadableMessage[]): Thread[] {
  const present = new Map<string, ThreadableMessage>();
  const order = new Map<string, number>();
  for (const m of messages) {
    if (present.has(m.messageId)) continue;
    order.set(m.messageId, present.size);
    present.set(m.messageId, m);
  }
  const parent = new Map<string, string>();

  /** Would linking child -> candidate close a loop? */
  const closesLoop = (child: string, candidate: string): boolean => {
    let cur: string | undefined = candidate;
    let steps = 0;
    while (cur !== undefined) {
      if (cur === child) return true;
      cur = parent.get(cur);
      if (++steps > 100_000) return true;
    }
    return false;
  };
  const link = (child: string, p: string): void => {
    if (child === p || parent.has(child) || closesLoop(child, p)) return;
    parent.set(child, p);
  };

  // Present messages first: their own headers decide their parent.
  for (const m of present.values()) {
    const p = parentIdOf(m);
    if (p !== null) link(m.messageId, p);
  }
  // Then the References chains fill in parents of messages we do not have, so that
  // replies to a missing patch still meet under the missing cover letter.
  for (const m of present.values()) {
    const refs = m.references;
    for (let i = 1; i < refs.length; i++) {
      const child = refs[i] as string;
      if (!present.has(child)) link(child, refs[i - 1] as string);
    }
    if (m.inReplyTo && !present.has(m.inReplyTo) && refs.length > 0) {
      const last = refs[refs.length - 1] as string;
      if (last !== m.inReplyTo && last !== m.messageId) link(m.inReplyTo, last);
    }
  }

  const rootCache = new Map<string, string>();
  const rootOf = (id: string): string => {
    const path: string[] = [];
    let cur = id;
    for (;;) {
      const cached = rootCache.get(cur);
      if (cached !== undefined) {
        cur = cached;
        break;
      }
      const p = parent.get(cur);
      if (p === undefined) break;
      path.push(cur);
      cur = p;
    }
    for (const x of path) rootCache.set(x, cur);
    return cur;
  };

  const byRoot = new Map<string, string[]>();
  for (const id of present.keys()) {
    const r = rootOf(id);
    const list = byRoot.get(r);
    if (list) list.push(id);
    else byRoot.set(r, [id]);
  }
  const times = new Map<string, number>();
  const time = (id: string): number => {
    let t = times.get(id);
    if (t === undefined) {
      const d = present.get(id)?.date;
      const parsed = d ? Date.parse(d) : NaN;
      t = Number.isNaN(parsed) ? Number.POSITIVE_INFINITY : parsed;
      times.set(id, t);
    }
    return t;
  };
  const threads: Thread[] = [];
  for (const [root, ids] of byRoot) {
    ids.sort((a, b) => time(a) - time(b) || (order.get(a) as number) - (order.get(b) as number));
    threads.push({ root, rootMissing: !present.has(root), messageIds: ids });
  }
  // Threads in the order their first message arrived.
  const firstSeen = (t: Thread): number => {
    let k = Number.POSITIVE_INFINITY;
    for (const id of t.messageIds) k = Math.min(k, order.get(id) as number);
    return k;
  };
  return threads
    .map((t) => ({ t, k: firstSeen(t) }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.t);
}
