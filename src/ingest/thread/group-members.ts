/**
 * Which series each cover letter and patch belongs to.
 *
 * Works like patchwork's parser, made independent of arrival order where it can be:
 * every group remembers the Message-IDs of its members and of everything they reference,
 * so a patch finds its group through its own id, its In-Reply-To, then its References
 * from the closest ancestor to the oldest (a v2 posted in reply to v1 finds v2 before v1).
 * A group found that way is taken only when it fits: no member with the same counter,
 * the same total, and the same revision when the mail is labelled vN (an unlabelled
 * patch may follow a labelled cover, as `[PATCH v3 0/4]` + `[PATCH 1/4]` do).
 *
 * Unthreaded mail (no link to any group) is grouped by markers: same sender, same
 * revision, same total, same tree, and a date within SERIES_WINDOW_MS of the group's first
 * message (patchwork uses 10 minutes too; git send-email posts a whole series in seconds),
 * and again no counter twice. An unnumbered patch ([PATCH] without n/N) is a series of
 * its own.
 */
import type { MailFacts } from './mail-facts.js';
import { ancestorIdsOf } from './assemble-threads.js';

export const SERIES_WINDOW_MS = 10 * 60 * 1000;

export interface MemberGroup {
  members: { facts: MailFacts; counter: number }[];
  counters: Set<number>;
  total: number | null;
  /** Revision of the first labelled member, null while none is labelled. */
  labelledRevision: number | null;
  sender: string | null;
  tree: string | null;
  firstTime: number | null;
  /** Unnumbered patch: nothing joins it. */
  closed: boolean;
  /** Some member joined by markers, not by a reference. */
  unthreaded: boolean;
}

/** Is this mail a series member, and with which counter? null: not a member. */
export function memberCounter(f: MailFacts): number | null {
  const p = f.parsed;
  if (p.isReply || p.isForward) return null;
  const hasDiff = f.patch !== null && (!f.patch.ok || f.patch.value.files.length > 0);
  const tagged = p.isPatch || p.rfc;
  if (p.counter !== null) {
    if (p.counter === 0) return tagged || p.total !== null ? 0 : null;
    if (tagged || hasDiff) return p.counter;
    return null;
  }
  return hasDiff ? 1 : null;
}

export function timeOf(date: string | null): number | null {
  if (!date) return null;
  const t = Date.parse(date);
  return Number.isNaN(t) ? null : t;
}

const senderOf = (f: MailFacts): string | null => f.from?.address.toLowerCase() ?? null;

function fits(g: MemberGroup, f: MailFacts, counter: number): boolean {
  if (g.closed || f.parsed.counter === null) return false;
  if (g.counters.has(counter)) return false;
  if (g.total !== f.parsed.total) return false;
  if (f.revisionLabelled && (g.labelledRevision ?? 1) !== f.parsed.revision) return false;
  return true;
}

function fitsByMarkers(g: MemberGroup, f: MailFacts, counter: number): boolean {
  if (!fits(g, f, counter)) return false;
  if (g.sender === null || g.sender !== senderOf(f)) return false;
  if ((g.labelledRevision ?? 1) !== f.parsed.revision) return false;
  if ((g.tree ?? '').toLowerCase() !== (f.parsed.tree ?? '').toLowerCase()) return false;
  const t = timeOf(f.date);
  return t !== null && g.firstTime !== null && Math.abs(t - g.firstTime) <= SERIES_WINDOW_MS;
}

export function groupMembers(candidates: readonly { facts: MailFacts; counter: number }[]): MemberGroup[] {
  const groups: MemberGroup[] = [];
  /** id -> groups it is a member of (first) or referenced by. */
  const memberOf = new Map<string, MemberGroup>();
  const referencedBy = new Map<string, MemberGroup[]>();
  /** Open groups by sender, revision, total and tree: where unthreaded mail may land. */
  const open = new Map<string, MemberGroup[]>();
  const markerKey = (f: MailFacts): string => `${senderOf(f)}|${f.parsed.revision}|${f.parsed.total}|${(f.parsed.tree ?? '').toLowerCase()}`;

  for (const c of candidates) {
    const f = c.facts;
    let group: MemberGroup | null = null;
    let byMarkers = false;
    if (f.parsed.counter !== null) {
      for (const ref of [f.messageId, ...ancestorIdsOf(f)]) {
        const direct = memberOf.get(ref);
        const options = direct ? [direct, ...(referencedBy.get(ref) ?? [])] : (referencedBy.get(ref) ?? []);
        group = options.find((g) => fits(g, f, c.counter)) ?? null;
        if (group) break;
      }
      if (!group) {
        group = open.get(markerKey(f))?.find((g) => fitsByMarkers(g, f, c.counter)) ?? null;
        byMarkers = group !== null;
      }
    }
    if (!group) {
      group = {
        members: [], counters: new Set(), total: f.parsed.total, labelledRevision: null, sender: senderOf(f),
        tree: f.parsed.tree, firstTime: timeOf(f.date), closed: f.parsed.counter === null, unthreaded: false,
      };
      groups.push(group);
      if (!group.closed && group.sender !== null) {
        const k = markerKey(f);
        const list = open.get(k);
        if (list) list.push(group);
        else open.set(k, [group]);
      }
    }
    group.members.push(c);
    group.counters.add(c.counter);
    if (byMarkers) group.unthreaded = true;
    if (f.revisionLabelled && group.labelledRevision === null) group.labelledRevision = f.parsed.revision;
    group.tree ??= f.parsed.tree;
    const t = timeOf(f.date);
    if (t !== null && (group.firstTime === null || t < group.firstTime)) group.firstTime = t;
    memberOf.set(f.messageId, group);
    for (const ref of ancestorIdsOf(f)) {
      const list = referencedBy.get(ref);
      if (!list) referencedBy.set(ref, [group]);
      else if (!list.includes(group)) list.push(group);
    }
  }
  return groups;
}
