/**
 * The ingest pipeline in constant memory, for archives in arrival order (lore, public-inbox,
 * a list's mbox): messages are read, parsed into their compact form (compact-mail.ts) and
 * held per thread; once a thread has gone quiet (no message for it within the next
 * `quietAfter` messages read) its series are assembled, handed to `onSeries` with the
 * thread's messages, and the messages are forgotten. What stays is an EmittedIndex (a hash
 * and a member reference per message, a little per series), so:
 *
 * - a later copy of a message already emitted is still a duplicate;
 * - a late reply (it answers, at any depth, a member of a series already emitted) is a
 *   reply: counted, and handed to `onUpdate` with the follow-up trailers it gives;
 * - a later revision still finds its previous one (reply, change-id, or title and author);
 * - read = seriesMembers + replies + other + duplicates + quarantined still holds (a
 *   BugError otherwise).
 *
 * What batch assembly (`ingest`) sees that this does not: a series member that arrives
 * after its series was emitted starts a series of its own (with the counters it lacks as
 * missing), and a missing cover that arrives late is a cover of its own. Both need a
 * thread quiet for `quietAfter` messages and then revived by a member; on a list that is
 * rare (series are posted in seconds, replies for weeks).
 */
import type { RawMessage } from '../../model/message.js';
import type { Series } from '../../model/series.js';
import type { Quarantined } from '../../model/errors.js';
import { ancestorIdsOf, assembleThreads, parentIdOf } from '../thread/assemble-threads.js';
import { assembleSeries } from '../thread/assemble-series.js';
import { memberCounter, SERIES_WINDOW_MS, timeOf } from '../thread/group-members.js';
import { Interner, type CompactMail } from './compact-mail.js';
import { EmittedIndex, type MemberRef } from './emitted-index.js';
import { checkAccounting, type IngestAccounting } from './ingest-accounting.js';
import { PendingThreads, type PendingThread } from './pending-threads.js';
import { readCompactMail } from './read-compact-mail.js';

/** Replies (and their follow-up trailers) that reached a series after it was emitted. */
export interface SeriesUpdate {
  /** The series' id (Series.id) as emitted. */
  seriesId: string;
  /** Each late reply and the counter of the member it answers (0: the cover). */
  replies: { counter: number; messageId: string }[];
  followupTrailers: Series['followupTrailers'];
  /** Set when the series' previous revision was emitted after it (its thread went quiet later). */
  previous?: string;
  partialReroll?: boolean;
}

export interface IngestStreamOptions {
  /** A thread is emitted once this many messages have been read after its last one. Default 10,000 (some weeks of the BPF list). */
  quietAfter?: number;
  /** Each series once, when its thread goes quiet, with the thread's compact messages (duplicates included). */
  onSeries: (series: Series, thread: readonly CompactMail[]) => void | Promise<void>;
  /** Late replies to series emitted before, with the messages of the late thread part. */
  onUpdate?: (update: SeriesUpdate, thread: readonly CompactMail[]) => void | Promise<void>;
}

export interface IngestStreamResult {
  messages: number;
  accounting: IngestAccounting;
  quarantined: Quarantined[];
  /** Series handed to onSeries. */
  series: number;
  /** Updates handed to onUpdate, and the late replies they carried (also counted in accounting.replies). */
  updates: number;
  lateReplies: number;
  /** Most threads held at once, and messages remembered in the index at the end. */
  peakPendingThreads: number;
  indexedMessages: number;
}

export const DEFAULT_QUIET_AFTER = 10_000;

/** Reads raw messages in arrival order and emits series as their threads go quiet (see above). */
export async function ingestStream(raws: AsyncIterable<RawMessage>, opts: IngestStreamOptions): Promise<IngestStreamResult> {
  const quietAfter = Math.max(1, opts.quietAfter ?? DEFAULT_QUIET_AFTER);
  const index = new EmittedIndex();
  const pending = new PendingThreads();
  const quarantined: Quarantined[] = [];
  const acc: IngestAccounting = { read: 0, seriesMembers: 0, replies: 0, other: 0, duplicates: 0, quarantined: 0 };
  const out = { series: 0, updates: 0, lateReplies: 0, peakPendingThreads: 0 };
  // Interned strings are shared by the mails of a window; a fresh interner per window keeps it bounded.
  let ids = new Interner();

  const flush = async (t: PendingThread): Promise<void> => {
    const r = emitThread(t.mails, index);
    acc.seriesMembers += r.members;
    acc.replies += r.replies;
    acc.other += r.other;
    acc.duplicates += r.duplicates;
    for (const q of r.quarantined) quarantined.push(q);
    for (const s of r.series) {
      out.series++;
      await opts.onSeries(s, t.mails);
    }
    for (const u of r.updates) {
      out.updates++;
      out.lateReplies += u.replies.length;
      if (opts.onUpdate) await opts.onUpdate(u, t.mails);
    }
  };

  for await (const raw of raws) {
    acc.read++;
    const r = await readCompactMail(raw, ids);
    if ('quarantined' in r) quarantined.push(r.quarantined);
    else if (index.wasRead(r.mail.messageId)) acc.duplicates++;
    else {
      pending.add(r.mail, keysOf(r.mail), markersOf(r.mail), acc.read);
      if (pending.size > out.peakPendingThreads) out.peakPendingThreads = pending.size;
    }
    for (const t of pending.takeQuiet(acc.read - quietAfter)) await flush(t);
    if (acc.read % quietAfter === 0) ids = new Interner();
  }
  for (const t of pending.takeAll()) await flush(t);
  acc.quarantined = quarantined.length;
  checkAccounting(acc);
  return { messages: acc.read, accounting: acc, quarantined, ...out, indexedMessages: index.size };
}

/** What joins a mail to a thread: its own id and the ids it names. */
function keysOf(m: CompactMail): string[] {
  return [m.messageId, ...ancestorIdsOf(m)];
}

/**
 * For a numbered series member that names no other mail (git send-email without threading):
 * the markers batch assembly groups such members by (sender, revision, total, tree, within
 * SERIES_WINDOW_MS), as keys of the two window-sized time buckets it may share with a member
 * sent within the window. A pending thread is joined through them only while it lacks the
 * member's counter (see PendingThreads.add).
 */
function markersOf(m: CompactMail): string[] {
  if (m.inReplyTo !== null || m.references.length > 0 || m.parsed.counter === null || memberCounter(m) === null) return [];
  const t = timeOf(m.date);
  if (t === null) return [];
  const b = Math.floor(t / SERIES_WINDOW_MS);
  const k = `\u0000unthreaded\u0000${m.from?.address.toLowerCase() ?? ''}\u0000${m.parsed.revision}\u0000${m.parsed.total}\u0000${(m.parsed.tree ?? '').toLowerCase()}\u0000`;
  return [k + b, k + (b - 1)];
}

interface EmittedThread {
  series: Series[];
  updates: SeriesUpdate[];
  members: number;
  replies: number;
  other: number;
  duplicates: number;
  quarantined: Quarantined[];
}

/** Assembles one quiet thread, links it to what was emitted before, and remembers it in the index. */
function emitThread(mails: readonly CompactMail[], index: EmittedIndex): EmittedThread {
  const a = assembleSeries(mails, assembleThreads(mails));
  const facts = new Map<string, CompactMail>();
  for (const m of mails) if (!facts.has(m.messageId)) facts.set(m.messageId, m);

  const updates = new Map<number, SeriesUpdate>();
  const updateOf = (slot: number): SeriesUpdate => {
    let u = updates.get(slot);
    if (!u) {
      u = { seriesId: index.slotId(slot), replies: [], followupTrailers: [] };
      updates.set(slot, u);
    }
    return u;
  };

  // Members and in-thread replies of each new series.
  const refs = new Map<string, MemberRef | null>();
  const firstSlot = index.seriesCount;
  for (const s of a.series) {
    const answers = new Set<number>();
    for (const id of [s.cover?.messageId, ...s.patches.map((p) => p.messageId)]) {
      const f = id === undefined ? undefined : facts.get(id);
      const r = f ? index.attachOf(ancestorIdsOf(f)) : null;
      if (r !== null) answers.add(r.slot);
    }
    const prevRevision = s.previous === null ? index.linkPrevious(s, answers) : (a.series.find((x) => x.id === s.previous)?.revision ?? null);
    const { slot, lateLinks } = index.addSeries(s, prevRevision);
    // (Series of this same thread were linked to each other by assembly already.)
    for (const l of lateLinks) if (l.slot < firstSlot) Object.assign(updateOf(l.slot), { previous: l.previous, partialReroll: l.partialReroll });
    if (s.cover) refs.set(s.cover.messageId, { slot, counter: 0 });
    for (const id of s.coverReplies) refs.set(id, { slot, counter: 0 });
    for (const p of s.patches) {
      refs.set(p.messageId, { slot, counter: p.counter });
      for (const id of p.replies) refs.set(id, { slot, counter: p.counter });
    }
    // The mail all patches answer when the cover is missing (see assembleSeries).
    if (!s.cover && s.total >= 2) {
      const parents = new Set(s.patches.map((p) => { const f = facts.get(p.messageId); return f ? parentIdOf(f) : null; }));
      const only = parents.size === 1 ? [...parents][0] : null;
      if (only && !facts.has(only)) index.rememberStandIn(only, { slot, counter: 0 });
    }
  }

  // Mails that answer no new series may answer one emitted before: late replies.
  const lateCache = new Map<string, MemberRef | null>();
  const lateTarget = (id: string, depth: number): MemberRef | null => {
    const cached = lateCache.get(id);
    if (cached !== undefined) return cached;
    const f = facts.get(id);
    if (!f || depth > 200 || a.roles.get(id) !== 'other') return null;
    lateCache.set(id, null);
    let found: MemberRef | null = null;
    for (const anc of ancestorIdsOf(f)) {
      found = facts.has(anc) ? lateTarget(anc, depth + 1) : index.memberOf(anc);
      if (found !== null) break;
    }
    lateCache.set(id, found);
    return found;
  };
  let members = 0;
  let replies = 0;
  let other = 0;
  for (const [id, role] of a.roles) {
    if (role === 'cover' || role === 'patch') members++;
    else if (role === 'reply') replies++;
    else {
      const target = lateTarget(id, 0);
      if (target === null) other++;
      else {
        replies++;
        refs.set(id, target);
        const u = updateOf(target.slot);
        u.replies.push({ counter: target.counter, messageId: id });
        for (const trailer of (facts.get(id) as CompactMail).followupTrailers) u.followupTrailers.push({ counter: target.counter, messageId: id, trailer });
      }
    }
    index.rememberRead(id, refs.get(id) ?? null);
  }
  return {
    series: a.series,
    updates: [...updates.values()],
    members: members - a.quarantined.length,
    replies,
    other,
    duplicates: a.duplicates.length,
    quarantined: a.quarantined,
  };
}
