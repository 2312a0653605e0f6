/**
 * The compact form the pipeline keeps per message with `keep: 'compact'` (large archives):
 * bodies, attachments, To/Cc, headers, commit messages, notes, diffstat, diff text and
 * hunks are dropped as each message is read; ids, people, trailers and paths are interned
 * (shared between messages: read-only); every kept string is copied out of the body it was
 * cut from. What stays per message is ids, subject, sender, date and, for patches, files
 * (no hunks), trailers, base-commit, prerequisites and change-id.
 *
 * Measured on the threaded bench file: about 1.5 KB of live heap per message.
 */
import type { Address, Message } from '../../model/message.js';
import type { PatchBody } from '../../model/patch.js';
import type { Trailer } from '../../model/trailer.js';
import type { FileDiff } from '../../model/diff.js';
import type { MailFacts } from '../thread/mail-facts.js';
import type { ParsedSubject } from '../../model/subject.js';
import { memberCounter } from '../thread/group-members.js';

/**
 * A copy of `s` that does not keep its parent alive. V8 makes substrings of 13+ chars
 * "sliced strings" that point into the string they were cut from, so a trailer cut from a
 * patch body would otherwise keep the whole body (and a Message-ID the whole header block)
 * in memory. A UTF-8 round trip gives a fresh flat string (slicing a concatenation would
 * still leave a slice header over a copy).
 */
export function detach(s: string): string {
  if (s.length < 13) return s;
  const copy = Buffer.from(s, 'utf8').toString('utf8');
  // A lone surrogate does not survive UTF-8: fall back to a copy behind a slice.
  return copy === s ? copy : (' ' + s).slice(1);
}

/** Cover candidates keep at most this much body in compact mode. */
export const COMPACT_COVER_BODY_MAX = 64 * 1024;

const NONE: never[] = [];
Object.freeze(NONE);
const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * Interns what repeats across a list's mail: Message-IDs (References repeat them), people
 * (the same authors and reviewers), trailers (the same Signed-off-by on every patch of a
 * series), file paths. Interned values are shared between messages: read-only.
 */
export class Interner {
  private readonly strings = new Map<string, string>();
  private readonly people = new Map<string, Address>();
  private readonly trailers = new Map<string, Trailer>();

  str(s: string): string {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    const own = detach(s);
    this.strings.set(own, own);
    return own;
  }
  strOrNull(s: string | null): string | null {
    return s === null ? null : this.str(s);
  }
  person(a: Address | null): Address | null {
    if (a === null) return null;
    const key = `${a.name}\u0000${a.address}`;
    let known = this.people.get(key);
    if (!known) {
      known = Object.freeze({ name: this.str(a.name), address: this.str(a.address) });
      this.people.set(key, known);
    }
    return known;
  }
  trailer(t: Trailer): Trailer {
    const key = `${t.name}\u0000${t.value}\u0000${t.person?.name ?? ''}\u0000${t.person?.address ?? ''}`;
    let known = this.trailers.get(key);
    if (!known) {
      known = Object.freeze({ name: this.str(t.name), value: this.str(t.value), person: this.person(t.person) });
      this.trailers.set(key, known);
    }
    return known;
  }
  trailerList(ts: Trailer[]): Trailer[] {
    return ts.length === 0 ? NONE : ts.map((t) => this.trailer(t));
  }
}

function compactFile(f: FileDiff, i: Interner): FileDiff {
  return {
    oldPath: i.strOrNull(f.oldPath),
    newPath: i.strOrNull(f.newPath),
    status: f.status,
    oldMode: i.strOrNull(f.oldMode),
    newMode: i.strOrNull(f.newMode),
    binary: f.binary,
    oldBlob: detachOrNull(f.oldBlob),
    newBlob: detachOrNull(f.newBlob),
    similarity: f.similarity,
    hunks: NONE,
    added: f.added,
    deleted: f.deleted,
  };
}

const detachOrNull = (s: string | null): string | null => (s === null ? null : detach(s));

/**
 * The patch summary kept in compact mode: files (without hunks), trailers, base-commit,
 * prerequisites, change-id. Commit message, notes, diffstat, diff text and hunks are
 * dropped: a review reads its series again with keep: 'full'.
 */
export function compactPatchBody(p: PatchBody, i: Interner): PatchBody {
  const out: PatchBody = {
    commitMessage: '',
    trailers: i.trailerList(p.trailers),
    notes: '',
    diffstat: NONE,
    diffText: '',
    diffBodyLine: p.diffBodyLine,
    files: p.files.map((f) => compactFile(f, i)),
    signature: null,
    baseCommit: i.strOrNull(p.baseCommit),
    prerequisitePatchIds: p.prerequisitePatchIds.length === 0 ? NONE : p.prerequisitePatchIds.map((x) => i.str(x)),
    changeId: i.strOrNull(p.changeId),
  };
  if (p.inBodyFrom) out.inBodyFrom = i.person(p.inBodyFrom) as Address;
  if (p.inBodySubject !== undefined) out.inBodySubject = detach(p.inBodySubject);
  return out;
}

/**
 * What a mail that can be neither a series member nor a cover letter keeps of its subject
 * reading: assembly only asks such mails whether they are members (no) and what they answer.
 */
const NOT_A_MEMBER: ParsedSubject = Object.freeze({
  original: '', isReply: true, isForward: false, tags: NONE, isPatch: false, revision: 1,
  counter: null, total: null, rfc: false, resend: false, tree: null, title: '',
}) as ParsedSubject;

/** One object that is both the facts assembly needs and the (bodiless) message `messagesById` holds. */
export type CompactMail = MailFacts & Message;

export function compactMail(f: MailFacts, m: Message, ids: Interner): CompactMail {
  const patch = f.patch === null || !f.patch.ok ? f.patch : { ok: true as const, value: compactPatchBody(f.patch.value, ids) };
  // Only a mail that starts a thread can be a cover letter (0/N or naked): keep its body, bounded.
  const coverCandidate = f.parsed.counter === 0 || (f.inReplyTo === null && f.references.length === 0);
  // Replies (most of a list) keep a shared subject reading; members and thread starters keep theirs.
  const keepParsed = memberCounter(f) !== null || (coverCandidate && f.coverBody !== null);
  const subject = detach(f.subject);
  const p = f.parsed;
  const c: CompactMail = {
    // The source is "<path>#<n>": V8 keeps it as the shared path plus a short tail; leave it so.
    source: f.source,
    messageIdSynthesised: m.messageIdSynthesised,
    messageId: ids.str(f.messageId),
    inReplyTo: ids.strOrNull(f.inReplyTo),
    references: f.references.length === 0 ? NONE : f.references.map((r) => ids.str(r)),
    subject,
    // tags are dropped: what assembly reads of them (revisionLabelled, an hg "1 of 2" counter) is already read.
    parsed: keepParsed ? { ...p, original: subject, tags: NONE, tree: ids.strOrNull(p.tree), title: detach(p.title) } : NOT_A_MEMBER,
    revisionLabelled: f.revisionLabelled,
    from: ids.person(f.from),
    // parseMailDate's ISO string is a fresh string of its own.
    date: f.date,
    patch,
    coverBody: f.coverBody !== null && coverCandidate ? detach(f.coverBody.slice(0, COMPACT_COVER_BODY_MAX)) : null,
    baseCommit: ids.strOrNull(f.baseCommit),
    changeId: ids.strOrNull(f.changeId),
    prerequisitePatchIds: f.prerequisitePatchIds.length === 0 ? NONE : f.prerequisitePatchIds.map((x) => ids.str(x)),
    followupTrailers: ids.trailerList(f.followupTrailers),
    to: NONE,
    cc: NONE,
    body: '',
    attachments: NONE,
    headers: NO_HEADERS,
  };
  // (Set afterwards, not spread into the literal: a spread makes every literal slow to build.)
  if (f.brokenPatchText) c.brokenPatchText = { commitMessage: '', trailers: ids.trailerList(f.brokenPatchText.trailers) };
  return c;
}

/** The bodiless message `messagesById` keeps in compact mode once assembly is done (shares the strings). */
export function slimMessage(m: Message): Message {
  return {
    source: m.source,
    messageId: m.messageId,
    messageIdSynthesised: m.messageIdSynthesised,
    inReplyTo: m.inReplyTo,
    references: m.references,
    subject: m.subject,
    from: m.from,
    to: NONE,
    cc: NONE,
    date: m.date,
    body: '',
    attachments: NONE,
    headers: NO_HEADERS,
  };
}
