/**
 * The compact facts of one message (see MailFacts): subject read, patch cut into parts
 * when there is patch text, follow-up trailers of replies, cover metadata. Pure.
 */
import type { Message } from '../../model/message.js';
import type { PatchBody } from '../../model/patch.js';
import type { ParsedSubject } from '../../model/subject.js';
import type { BrokenDiffError, Result } from '../../model/errors.js';
import { parseSubject } from '../mail/parse-subject.js';
import { extractFollowupTrailers, splitTrailerBlock } from '../mail/parse-trailers.js';
import { parsePatchBody } from '../diff/parse-patch-body.js';
import { patchTextOf } from '../diff/patch-text-of.js';
import type { MailFacts } from './mail-facts.js';

const LABEL_RE = /^(?:(?:patch|rfc|resend)-?)?v\d{1,4}$/i;

export function isRevisionLabelled(parsed: ParsedSubject): boolean {
  return parsed.tags.some((t) => LABEL_RE.test(t));
}

/** Could this mail be a series member (cover or patch) by its subject alone? Not a reply or forward. */
export function isMemberSubject(parsed: ParsedSubject): boolean {
  return !parsed.isReply && !parsed.isForward;
}

export interface FactsOptions {
  /** Replace how patch text is found (tests); default: the diff stage's patchTextOf. */
  patchText?: (m: Message) => { text: string } | null;
  /** Cut patches into the summary compact ingest keeps (see ParsePatchBodyOptions.summary). */
  summary?: boolean;
}

/** hg email numbers patches "[PATCH 1 of 2]"; read that as 1/2 when the subject parser did not. */
export function withMercurialCounter(parsed: ParsedSubject): ParsedSubject {
  if (parsed.counter !== null) return parsed;
  const t = parsed.tags;
  for (let i = 0; i + 2 < t.length; i++) {
    if (/^\d{1,4}$/.test(t[i] as string) && (t[i + 1] as string).toLowerCase() === 'of' && /^\d{1,4}$/.test(t[i + 2] as string)) {
      return { ...parsed, counter: Number(t[i]), total: Number(t[i + 2]) };
    }
  }
  return parsed;
}

/**
 * The patch a mail carries: its body when that holds a diff, else a text attachment that
 * does (patchTextOf), else none (`plain` is then the body read as a patch without a diff,
 * for its base-commit/change-id lines). Cutting the body once serves both the "is there a
 * diff" question and the patch itself.
 */
function readPatch(message: Message, opts: FactsOptions): { patch: Result<PatchBody, BrokenDiffError> | null; plain: PatchBody | null } {
  const cut = { summary: opts.summary === true };
  if (opts.patchText) {
    const pt = opts.patchText(message);
    return pt ? { patch: parsePatchBody(pt.text, cut), plain: null } : { patch: null, plain: okOrNull(parsePatchBody(message.body, cut)) };
  }
  const fromBody = parsePatchBody(message.body, cut);
  if (!fromBody.ok || fromBody.value.diffBodyLine > 0) return { patch: fromBody, plain: null };
  if (message.attachments.length > 0) {
    const pt = patchTextOf(message);
    if (pt) return { patch: parsePatchBody(pt.text, cut), plain: null };
  }
  return { patch: null, plain: fromBody.value };
}

const okOrNull = (r: Result<PatchBody, BrokenDiffError>): PatchBody | null => (r.ok ? r.value : null);

export function factsOf(message: Message, opts: FactsOptions = {}): MailFacts {
  const parsed = withMercurialCounter(parseSubject(message.subject));
  const memberSubject = isMemberSubject(parsed);
  let patch: Result<PatchBody, BrokenDiffError> | null = null;
  let plain: PatchBody | null = null;
  if (memberSubject) {
    const cut = readPatch(message, opts);
    patch = cut.patch;
    plain = cut.plain;
    if (patch === null && plain !== null && (parsed.isPatch || parsed.rfc) && parsed.counter !== null && parsed.counter > 0) {
      // A numbered patch mail without a diff: keep what there is, assembly reports the missing diff.
      patch = { ok: true, value: plain };
    }
  }
  const hasDiff = patch !== null && (!patch.ok || patch.value.files.length > 0);
  const metaFrom = patch?.ok ? patch.value : plain;
  const meta = {
    baseCommit: metaFrom?.baseCommit ?? null,
    changeId: metaFrom?.changeId ?? null,
    prerequisitePatchIds: metaFrom?.prerequisitePatchIds ?? [],
  };
  meta.changeId ??= message.headers['change-id'] ?? null;
  const isAnswer = message.inReplyTo !== null || message.references.length > 0;
  const followupTrailers = !hasDiff && (parsed.isReply || isAnswer) ? extractFollowupTrailers(message.body, message.from) : [];
  const out: MailFacts = {
    source: message.source,
    messageId: message.messageId,
    inReplyTo: message.inReplyTo,
    references: message.references,
    subject: message.subject,
    parsed,
    revisionLabelled: isRevisionLabelled(parsed),
    from: message.from,
    date: message.date,
    patch,
    coverBody: memberSubject && !hasDiff ? message.body : null,
    baseCommit: meta.baseCommit,
    changeId: meta.changeId,
    prerequisitePatchIds: meta.prerequisitePatchIds,
    followupTrailers,
  };
  if (patch !== null && !patch.ok) out.brokenPatchText = textBeforeDiff(message.body);
  return out;
}

/** Commit message and trailers of a patch whose diff is broken: the text up to the first `---` or diff line. */
function textBeforeDiff(body: string): { commitMessage: string; trailers: MailFacts['followupTrailers'] } {
  const lines = body.replace(/\r\n/g, '\n').split('\n');
  const end = lines.findIndex((l) => /^---\s*$/.test(l) || l.startsWith('diff --git '));
  const { message, trailers } = splitTrailerBlock(lines.slice(0, end < 0 ? lines.length : end).join('\n'));
  return { commitMessage: message, trailers };
}
