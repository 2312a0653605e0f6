/**
 * Series completion, pure: given the series assembled from the messages seen, when each member
 * was first seen, the reviews already made and the clock, which series are ready for review,
 * which wait for missing patches (and until when), and which are past their deadline.
 *
 * - complete (no counter missing): review now;
 * - incomplete, deadline not reached: wait (the deadline is `waitMs` after the first member
 *   of this revision was seen);
 * - incomplete, deadline passed: review now with what there is, saying what is missing;
 * - a series whose members changed since its last review (a late patch, a resent patch) is a
 *   new review key, so it is reviewed again by the same rules; a new revision is a new series.
 * A review key is (series id, revision, content hash of the member Message-IDs).
 */
import { createHash } from 'node:crypto';
import type { Series } from '../model/index.js';
import { reviewKey } from '../store/service-store.js';

export interface CompletionPolicy {
  /** How long to wait for missing patches after the first member was seen. */
  waitMs: number;
}

export type Readiness =
  | { kind: 'ready'; reason: 'complete'; missing: [] }
  | { kind: 'ready'; reason: 'deadline'; missing: number[] }
  | { kind: 'waiting'; until: Date; missing: number[] }
  | { kind: 'done' };

export interface CompletionEntry {
  series: Series;
  contentHash: string;
  firstSeen: Date;
  deadline: Date;
  readiness: Readiness;
}

export interface CompletionPlan {
  entries: CompletionEntry[];
  ready: CompletionEntry[];
  waiting: CompletionEntry[];
  /** The earliest deadline among waiting series: when to look again even if nothing arrives. */
  nextDeadline: Date | null;
}

/** The Message-IDs that make up a series' content: cover and patches (not replies). */
export function memberIds(series: Series): string[] {
  const ids = series.patches.map((p) => p.messageId);
  if (series.cover) ids.push(series.cover.messageId);
  return [...new Set(ids)].sort();
}

export function contentHash(series: Series): string {
  return createHash('sha256').update(memberIds(series).join('\n')).digest('hex').slice(0, 32);
}

export function readiness(series: Series, firstSeen: Date, now: Date, policy: CompletionPolicy, alreadyReviewed: boolean): Readiness {
  if (alreadyReviewed) return { kind: 'done' };
  if (series.missing.length === 0 && series.patches.length > 0) return { kind: 'ready', reason: 'complete', missing: [] };
  const until = new Date(firstSeen.getTime() + policy.waitMs);
  if (now.getTime() >= until.getTime()) return { kind: 'ready', reason: 'deadline', missing: [...series.missing] };
  return { kind: 'waiting', until, missing: [...series.missing] };
}

/**
 * The plan for every series. `seenAt(messageId)` is when a member was first stored (undefined
 * when unknown: then `now`); `reviewed` holds the review keys already recorded.
 */
export function planCompletion(
  series: readonly Series[],
  seenAt: (messageId: string) => Date | undefined,
  reviewed: ReadonlySet<string>,
  now: Date,
  policy: CompletionPolicy,
): CompletionPlan {
  const entries: CompletionEntry[] = [];
  for (const s of series) {
    const ids = memberIds(s);
    let first = now.getTime();
    for (const id of ids) {
      const t = seenAt(id)?.getTime();
      if (t !== undefined && t < first) first = t;
    }
    const firstSeen = new Date(first);
    const hash = contentHash(s);
    const r = readiness(s, firstSeen, now, policy, reviewed.has(reviewKey(s.id, s.revision, hash)));
    entries.push({ series: s, contentHash: hash, firstSeen, deadline: new Date(first + policy.waitMs), readiness: r });
  }
  const ready = entries.filter((e) => e.readiness.kind === 'ready');
  const waiting = entries.filter((e) => e.readiness.kind === 'waiting');
  let next: number | null = null;
  for (const w of waiting) if (next === null || w.deadline.getTime() < next) next = w.deadline.getTime();
  return { entries, ready, waiting, nextDeadline: next === null ? null : new Date(next) };
}
