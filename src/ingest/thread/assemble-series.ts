/**
 * Series from messages and their threads: cover letter (0/N, or a "naked" cover the
 * patch answers), patches in counter order, missing counters, replies attached to the
 * member they answer (any depth), follow-up trailers, revision links and partial rerolls.
 * Pure and synchronous; see group-members.ts for how members are grouped and
 * link-revisions.ts for how revisions are linked.
 *
 * A member whose patch cannot be used (BrokenDiffError, or a numbered patch mail without
 * a diff) stays in its series with `files: []` and `error`, and is listed in `quarantined`;
 * the run accounts for it once, as quarantined.
 */
import type { Message } from '../../model/message.js';
import type { Patch, PatchBody } from '../../model/patch.js';
import type { CoverLetter, Series, Thread } from '../../model/series.js';
import { BugError, type Quarantined } from '../../model/errors.js';
import type { MailFacts } from './mail-facts.js';
import { factsOf, type FactsOptions } from './facts-of.js';
import { ancestorIdsOf, parentIdOf } from './assemble-threads.js';
import { groupMembers, memberCounter, timeOf, type MemberGroup } from './group-members.js';
import { linkRevisions, type RevisionNode } from './link-revisions.js';

export type MailRole = 'cover' | 'patch' | 'reply' | 'other';

export interface SeriesAssembly {
  series: Series[];
  /** Every distinct Message-ID read, with its role. */
  roles: Map<string, MailRole>;
  /** Later copies of a Message-ID already seen (the first copy is the one used). */
  duplicates: { messageId: string; source: string }[];
  /** Series members whose patch could not be used (they are also in their series, with `error`). */
  quarantined: Quarantined[];
}

const EMPTY_BODY: PatchBody = {
  commitMessage: '', trailers: [], notes: '', diffstat: [], diffText: '', diffBodyLine: 0, files: [],
  signature: null, baseCommit: null, prerequisitePatchIds: [], changeId: null,
};

const isFacts = (m: Message | MailFacts): m is MailFacts => 'parsed' in m;

export function assembleSeries(messages: readonly (Message | MailFacts)[], threads: readonly Thread[], opts: FactsOptions = {}): SeriesAssembly {
  const facts = new Map<string, MailFacts>();
  const duplicates: SeriesAssembly['duplicates'] = [];
  for (const m of messages) {
    if (facts.has(m.messageId)) {
      duplicates.push({ messageId: m.messageId, source: m.source });
      continue;
    }
    facts.set(m.messageId, isFacts(m) ? m : factsOf(m, opts));
  }

  const candidates: { facts: MailFacts; counter: number }[] = [];
  for (const f of facts.values()) {
    const c = memberCounter(f);
    if (c !== null) candidates.push({ facts: f, counter: c });
  }
  const groups = groupMembers(candidates);
  adoptNakedCovers(groups, facts);

  const memberSeries = new Map<string, number>();
  const memberCounterOf = new Map<string, number>();
  groups.forEach((g, i) => {
    for (const m of g.members) {
      memberSeries.set(m.facts.messageId, i);
      memberCounterOf.set(m.facts.messageId, m.counter);
    }
  });
  // A series without its cover whose patches all answer one mail we do not have: that mail
  // is the missing cover, and what answers it (patchwork-bot's "applied") answers the series.
  groups.forEach((g, i) => {
    if (g.counters.has(0) || (g.total ?? 1) < 2) return;
    const parents = new Set(g.members.map((m) => parentIdOf(m.facts)));
    const only = parents.size === 1 ? [...parents][0] : null;
    if (only && !facts.has(only) && !memberSeries.has(only)) {
      memberSeries.set(only, i);
      memberCounterOf.set(only, 0);
    }
  });

  const quarantined: Quarantined[] = [];
  const series = groups.map((g) => buildSeries(g, quarantined));
  const patchById = new Map<string, Patch>();
  for (const s of series) for (const p of s.patches) patchById.set(p.messageId, p);

  // Replies: the first series member up the chain of each other message.
  const roles = new Map<string, MailRole>();
  const attachCache = new Map<string, string | null>();
  const attachOf = (id: string, depth: number): string | null => {
    const cached = attachCache.get(id);
    if (cached !== undefined) return cached;
    const f = facts.get(id);
    if (!f || depth > 200) return null;
    attachCache.set(id, null); // loop guard
    let found: string | null = null;
    for (const a of ancestorIdsOf(f)) {
      found = memberSeries.has(a) ? a : attachOf(a, depth + 1);
      if (found !== null) break;
    }
    attachCache.set(id, found);
    return found;
  };
  for (const f of facts.values()) {
    const counter = memberSeries.has(f.messageId) ? memberCounterOf.get(f.messageId) : undefined;
    if (counter !== undefined) {
      roles.set(f.messageId, counter === 0 ? 'cover' : 'patch');
      continue;
    }
    const target = attachOf(f.messageId, 0);
    if (target === null) {
      roles.set(f.messageId, 'other');
      continue;
    }
    roles.set(f.messageId, 'reply');
    const s = series[memberSeries.get(target) as number] as Series;
    const tc = memberCounterOf.get(target) as number;
    if (tc === 0) s.coverReplies.push(f.messageId);
    else patchById.get(target)?.replies.push(f.messageId);
    for (const trailer of f.followupTrailers) s.followupTrailers.push({ counter: tc, messageId: f.messageId, trailer });
  }

  // Revisions: which other series each one answers, then the links.
  const nodes: RevisionNode[] = groups.map((g, i) => {
    const answers = new Set<number>();
    for (const m of g.members) {
      for (const a of ancestorIdsOf(m.facts)) {
        const target = memberSeries.has(a) ? a : attachOf(a, 0);
        const j = target === null ? undefined : memberSeries.get(target);
        if (j !== undefined && j !== i) answers.add(j);
      }
    }
    return { series: series[i] as Series, answers, time: g.firstTime };
  });
  linkRevisions(nodes);

  return { series: orderByThreads(series, threads), roles, duplicates, quarantined };
}

/**
 * b4's naked cover: a series without 0/N whose first patch answers a plain (not a reply,
 * not a patch) mail from the same sender; that mail is the cover letter.
 */
function adoptNakedCovers(groups: MemberGroup[], facts: Map<string, MailFacts>): void {
  const taken = new Set<string>();
  for (const g of groups) for (const m of g.members) taken.add(m.facts.messageId);
  for (const g of groups) {
    if (g.counters.has(0)) continue;
    const first = [...g.members].sort((a, b) => a.counter - b.counter)[0];
    if (!first) continue;
    const pid = parentIdOf(first.facts);
    const parent = pid === null ? undefined : facts.get(pid);
    if (!parent || taken.has(parent.messageId) || parent.coverBody === null) continue;
    if (parent.parsed.isReply || parent.parsed.isForward || parent.inReplyTo !== null || parent.references.length > 0) continue;
    const a = parent.from?.address.toLowerCase();
    if (!a || a !== first.facts.from?.address.toLowerCase()) continue;
    g.members.push({ facts: parent, counter: 0 });
    g.counters.add(0);
    taken.add(parent.messageId);
  }
}

function buildSeries(g: MemberGroup, quarantined: Quarantined[]): Series {
  const sorted = [...g.members].sort((a, b) => a.counter - b.counter);
  const coverM = sorted.find((m) => m.counter === 0);
  const patches: Patch[] = [];
  for (const m of sorted) {
    if (m.counter === 0) continue;
    const f = m.facts;
    let body: PatchBody = EMPTY_BODY;
    let error: Patch['error'];
    if (f.patch === null || !f.patch.ok) {
      error = f.patch === null
        ? { code: 'broken-diff', reason: 'no patch text in a numbered patch mail' }
        : { code: f.patch.error.code, reason: f.patch.error.message };
      if (f.brokenPatchText) body = { ...EMPTY_BODY, ...f.brokenPatchText };
    } else if (f.patch.value.files.length === 0) {
      body = f.patch.value;
      error = { code: 'broken-diff', reason: 'no diff in a numbered patch mail' };
    } else body = f.patch.value;
    const patch: Patch = {
      commitMessage: body.commitMessage,
      trailers: body.trailers,
      notes: body.notes,
      diffstat: body.diffstat,
      diffText: body.diffText,
      diffBodyLine: body.diffBodyLine,
      files: body.files,
      signature: body.signature,
      baseCommit: body.baseCommit,
      prerequisitePatchIds: body.prerequisitePatchIds,
      changeId: body.changeId,
      counter: m.counter,
      messageId: f.messageId,
      subject: f.subject,
      author: f.from,
      date: f.date,
      replies: [],
    };
    if (body.inBodyFrom) patch.inBodyFrom = body.inBodyFrom;
    if (body.inBodySubject !== undefined) patch.inBodySubject = body.inBodySubject;
    if (error) {
      patch.error = error;
      patch.files = [];
      quarantined.push({ source: f.source, messageId: f.messageId, code: error.code, reason: `${f.subject}: ${error.reason}` });
    }
    patches.push(patch);
  }
  const lead = coverM?.facts ?? sorted[0]?.facts;
  if (!lead) throw new BugError('a series group without members');
  const all = sorted.map((m) => m.facts);
  const total = g.total ?? (coverM ? Math.max(0, ...patches.map((p) => p.counter)) : 1);
  const present = new Set(patches.map((p) => p.counter));
  const missing: number[] = [];
  for (let c = 1; c <= total; c++) if (!present.has(c)) missing.push(c);
  const cover: CoverLetter | null = coverM
    ? { messageId: coverM.facts.messageId, subject: coverM.facts.subject, body: coverM.facts.coverBody ?? '', baseCommit: coverM.facts.baseCommit, changeId: coverM.facts.changeId }
    : null;
  const prereqs = new Set<string>();
  for (const f of all) for (const p of f.prerequisitePatchIds) prereqs.add(p);
  return {
    id: lead.messageId,
    subject: lead.subject,
    title: lead.parsed.title,
    revision: g.labelledRevision ?? 1,
    total,
    tree: lead.parsed.tree ?? all.find((f) => f.parsed.tree !== null)?.parsed.tree ?? null,
    rfc: all.some((f) => f.parsed.rfc),
    resend: all.some((f) => f.parsed.resend),
    author: lead.from,
    date: lead.date,
    cover,
    patches,
    missing,
    previous: null,
    partialReroll: false,
    threading: g.unthreaded ? 'unthreaded' : 'threaded',
    baseCommit: cover?.baseCommit ?? all.find((f) => f.baseCommit !== null)?.baseCommit ?? null,
    prerequisitePatchIds: [...prereqs],
    changeId: cover?.changeId ?? all.find((f) => f.changeId !== null)?.changeId ?? null,
    coverReplies: [],
    followupTrailers: [],
  };
}

/** Series in the order of their threads (thread order: first arrival), then by date. */
function orderByThreads(series: Series[], threads: readonly Thread[]): Series[] {
  const threadOf = new Map<string, number>();
  threads.forEach((t, i) => {
    for (const id of t.messageIds) threadOf.set(id, i);
  });
  const key = (s: Series): number => threadOf.get(s.id) ?? Number.MAX_SAFE_INTEGER;
  return series
    .map((s, i) => ({ s, i, k: key(s), t: timeOf(s.date) ?? Number.MAX_SAFE_INTEGER }))
    .sort((a, b) => a.k - b.k || a.t - b.t || a.i - b.i)
    .map((x) => x.s);
}
