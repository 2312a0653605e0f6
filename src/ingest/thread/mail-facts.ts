import type { Address } from '../../model/message.js';
import type { ParsedSubject } from '../../model/subject.js';
import type { PatchBody } from '../../model/patch.js';
import type { Trailer } from '../../model/trailer.js';
import type { BrokenDiffError, Result } from '../../model/errors.js';

/**
 * What series assembly needs of one message, and nothing more. The ingest pipeline
 * keeps these instead of whole messages, so memory holds ids, subjects and a patch
 * summary per message rather than every body (see `factsOf`).
 */
export interface MailFacts {
  source: string;
  messageId: string;
  inReplyTo: string | null;
  /** Oldest first. */
  references: string[];
  subject: string;
  parsed: ParsedSubject;
  /** A vN (or PATCHvN) tag was present: an unlabelled patch may join a labelled series. */
  revisionLabelled: boolean;
  from: Address | null;
  date: string | null;
  /**
   * The patch cut into parts when the mail carries patch text (body or text/x-patch
   * attachment), the BrokenDiffError when its diff is broken, null when it has none.
   */
  patch: Result<PatchBody, BrokenDiffError> | null;
  /** When `patch` is a BrokenDiffError: the commit message and trailers read from the text before the diff. */
  brokenPatchText?: { commitMessage: string; trailers: Trailer[] };
  /** The body, kept only for mails that could be a cover letter (not replies, no diff). */
  coverBody: string | null;
  /** base-commit / change-id / prerequisite-patch-id read from the body (b4 puts them in the cover). */
  baseCommit: string | null;
  changeId: string | null;
  prerequisitePatchIds: string[];
  /** Trailers the sender gave in this mail when it is a reply (b4's follow-up trailers). */
  followupTrailers: Trailer[];
}
