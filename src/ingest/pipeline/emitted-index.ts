/**
 * What a streaming ingest remembers of the threads it has emitted and forgotten: per
 * Message-ID (as a 53-bit hash) whether the message was read and which series member it
 * belongs to or answers, so a duplicate is still recognised and a late reply still finds
 * its series; per emitted series its id, revision, total, counters, date, title key and
 * change-id, so a later revision still finds its previous one. At most 24 bytes per
 * message (IdTable) and about 100 per series.
 */
import type { Series } from '../../model/series.js';
import { normaliseTitle } from '../thread/link-revisions.js';
import { timeOf } from '../thread/group-members.js';
import { idHash } from './id-hash.js';
import { IdTable } from './id-table.js';

/** An emitted series member: the series' slot and the member's counter (0: cover). */
export interface MemberRef {
  slot: number;
  counter: number;
}

interface SlotInfo {
  id: string;
  revision: number;
  total: number;
  time: number | null;
  counters: number[];
  missing: number[];
  /** Revision of the previous revision linked so far (null: none). */
  prevRevision: number | null;
}

/** A series emitted before whose previous revision is one emitted now. */
export interface LateLink {
  slot: number;
  previous: string;
  partialReroll: boolean;
}

/** Member codes fit an int32: up to 2^20 series of up to 2047 counters (a higher counter is read as 2047). */
const COUNTERS = 2048;
const SAME_WORK_MAX = 32;

const MAX_SLOTS = 1 << 20;

/** 0: no member (also for series past MAX_SLOTS: their late replies then count as other mail). */
const encode = (r: MemberRef | null): number =>
  r === null || r.slot >= MAX_SLOTS ? 0 : 1 + r.slot * COUNTERS + Math.min(r.counter, COUNTERS - 1);
const decode = (code: number): MemberRef | null => (code === 0 ? null : { slot: Math.floor((code - 1) / COUNTERS), counter: (code - 1) % COUNTERS });

export class EmittedIndex {
  /** id hash -> member code (0: none); negative: a mail we never read that stands for a member (a missing cover). */
  private readonly ids = new IdTable();
  private readonly slots: SlotInfo[] = [];
  private readonly byTitle = new Map<string, number[]>();
  private readonly byChange = new Map<string, number[]>();

  /** Messages remembered (read ones and stand-ins). */
  get size(): number {
    return this.ids.size;
  }

  /** Was a message with this id read and emitted? */
  wasRead(id: string): boolean {
    const v = this.ids.get(idHash(id));
    return v !== undefined && v >= 0;
  }

  /** The member an emitted message is or answers (for a stand-in: the member it stands for). */
  memberOf(id: string): MemberRef | null {
    const v = this.ids.get(idHash(id));
    return v === undefined ? null : decode(Math.abs(v));
  }

  /** The first of `ancestors` (closest first) that is or answers an emitted member. */
  attachOf(ancestors: readonly string[]): MemberRef | null {
    for (const a of ancestors) {
      const r = this.memberOf(a);
      if (r !== null) return r;
    }
    return null;
  }

  rememberRead(id: string, member: MemberRef | null): void {
    this.ids.set(idHash(id), encode(member));
  }

  /** A mail never read that the series stands on (its missing cover): late replies to it are cover replies. */
  rememberStandIn(id: string, member: MemberRef): void {
    const h = idHash(id);
    const code = encode(member);
    if (code !== 0 && !this.ids.has(h)) this.ids.set(h, -code);
  }

  /** Series remembered. */
  get seriesCount(): number {
    return this.slots.length;
  }

  slotId(slot: number): string {
    return (this.slots[slot] as SlotInfo).id;
  }

  /**
   * Remembers an emitted series (whose previous revision, if linked, has `prevRevision`);
   * returns its slot, and the series emitted before that take it as their previous revision
   * by change-id or title (a later revision whose thread went quiet first).
   */
  addSeries(s: Series, prevRevision: number | null): { slot: number; lateLinks: LateLink[] } {
    const slot = this.slots.length;
    const time = timeOf(s.date);
    const counters = s.patches.map((p) => p.counter);
    const tk = titleKey(s);
    const lateLinks: LateLink[] = [];
    for (const x of new Set(this.sameWork(s.changeId, tk))) {
      const later = this.slots[x] as SlotInfo;
      if (later.revision <= s.revision) continue;
      // Only a higher revision than the one linked so far (of equal ones the first emitted stays).
      if (later.prevRevision !== null && later.prevRevision >= s.revision) continue;
      later.prevRevision = s.revision;
      const partialReroll = later.missing.length > 0 && later.total === s.total && later.missing.every((c) => counters.includes(c));
      lateLinks.push({ slot: x, previous: s.id, partialReroll });
    }
    this.slots.push({ id: s.id, revision: s.revision, total: s.total, time, counters, missing: s.missing, prevRevision });
    if (tk !== null) push(this.byTitle, tk, slot);
    if (s.changeId) push(this.byChange, s.changeId, slot);
    return { slot, lateLinks };
  }

  /** Series with this change-id or title key: the latest SAME_WORK_MAX of each (a title reused for years stays cheap). */
  private sameWork(changeId: string | null, tk: string | null): number[] {
    const c = changeId ? (this.byChange.get(changeId) ?? []) : [];
    const t = tk !== null ? (this.byTitle.get(tk) ?? []) : [];
    return [...c.slice(-SAME_WORK_MAX), ...t.slice(-SAME_WORK_MAX)];
  }

  /**
   * The previous revision of `s` among emitted series, as link-revisions.ts chooses it: a
   * series `s` answers (`answers`: slots) with a lower revision, or the same one and older,
   * or one with the same change-id or title and author and a lower revision; the highest
   * revision wins, then the latest. Sets s.previous and s.partialReroll; returns the
   * previous revision's revision number, null when there is none.
   */
  linkPrevious(s: Series, answers: ReadonlySet<number>): number | null {
    const t = timeOf(s.date);
    const candidates = new Set<number>();
    for (const a of answers) {
      const x = this.slots[a] as SlotInfo;
      if (x.revision < s.revision || (x.revision === s.revision && x.time !== null && t !== null && x.time < t)) candidates.add(a);
    }
    for (const a of this.sameWork(s.changeId, titleKey(s))) if ((this.slots[a] as SlotInfo).revision < s.revision) candidates.add(a);
    let best: SlotInfo | null = null;
    for (const a of candidates) {
      const x = this.slots[a] as SlotInfo;
      if (best === null || x.revision > best.revision || (x.revision === best.revision && (x.time ?? 0) >= (best.time ?? 0))) best = x;
    }
    if (best === null) return null;
    s.previous = best.id;
    if (s.missing.length > 0 && best.total === s.total) {
      const had = new Set(best.counters);
      s.partialReroll = s.missing.every((c) => had.has(c));
    }
    return best.revision;
  }
}

function titleKey(s: Series): string | null {
  return s.author ? `${s.author.address.toLowerCase()}\n${normaliseTitle(s.title)}` : null;
}

function push(m: Map<string, number[]>, k: string, v: number): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}
