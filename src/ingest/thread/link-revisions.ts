/**
 * Links each series to its previous revision and marks partial rerolls.
 *
 * The previous revision of B is a series A of the same work with a lower revision:
 * - B is posted in reply to a message of A (then an equal revision counts too when A is
 *   older: an unlabelled resend in reply to the first posting), or
 * - A and B carry the same change-id (b4), or
 * - A and B have the same title (case- and blank-insensitive) from the same author.
 * Of several, the highest revision wins, then the latest.
 *
 * A partial reroll is a vN that resends only some counters of a total, where every
 * counter it lacks exists in the previous revision (b4's partial-reroll sample).
 */
import type { Series } from '../../model/series.js';

export interface RevisionNode {
  series: Series;
  /** Indexes of the other series that some member of this one replies to (any depth). */
  answers: Set<number>;
  time: number | null;
}

export function normaliseTitle(title: string): string {
  return title.toLowerCase().replace(/\s+/g, ' ').trim();
}

export function linkRevisions(nodes: readonly RevisionNode[]): void {
  const byTitle = new Map<string, number[]>();
  const byChange = new Map<string, number[]>();
  const add = (m: Map<string, number[]>, k: string, i: number): void => {
    const l = m.get(k);
    if (l) l.push(i);
    else m.set(k, [i]);
  };
  nodes.forEach((n, i) => {
    const s = n.series;
    if (s.author) add(byTitle, `${s.author.address.toLowerCase()}\n${normaliseTitle(s.title)}`, i);
    if (s.changeId) add(byChange, s.changeId, i);
  });
  const older = (a: RevisionNode, b: RevisionNode, ia: number, ib: number): boolean =>
    a.time !== null && b.time !== null ? a.time < b.time : ia < ib;

  nodes.forEach((b, ib) => {
    const s = b.series;
    const candidates = new Set<number>();
    for (const ia of b.answers) {
      const a = nodes[ia] as RevisionNode;
      if (a.series.revision < s.revision || (a.series.revision === s.revision && older(a, b, ia, ib))) candidates.add(ia);
    }
    const sameWork = [
      ...(s.changeId ? (byChange.get(s.changeId) ?? []) : []),
      ...(s.author ? (byTitle.get(`${s.author.address.toLowerCase()}\n${normaliseTitle(s.title)}`) ?? []) : []),
    ];
    for (const ia of sameWork) if (ia !== ib && (nodes[ia] as RevisionNode).series.revision < s.revision) candidates.add(ia);
    let best: number | null = null;
    for (const ia of candidates) {
      if (best === null) {
        best = ia;
        continue;
      }
      const a = nodes[ia] as RevisionNode;
      const cur = nodes[best] as RevisionNode;
      if (a.series.revision > cur.series.revision || (a.series.revision === cur.series.revision && older(cur, a, best, ia))) best = ia;
    }
    if (best === null) return;
    const prev = (nodes[best] as RevisionNode).series;
    s.previous = prev.id;
    if (s.missing.length > 0 && prev.total === s.total) {
      const had = new Set(prev.patches.map((p) => p.counter));
      s.partialReroll = s.missing.every((c) => had.has(c));
    }
  });
}
