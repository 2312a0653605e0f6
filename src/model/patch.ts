import type { Trailer } from './trailer.js';
import type { FileDiff } from './diff.js';
import type { Address } from './message.js';

export interface DiffstatEntry {
  path: string;
  changes: string;
}

/** A patch mail cut into its parts. */
export interface PatchBody {
  /** Commit message: body up to the trailers (subject not included). */
  commitMessage: string;
  trailers: Trailer[];
  /** Text between '---' and the diff (changelog notes, diffstat), trimmed. */
  notes: string;
  diffstat: DiffstatEntry[];
  /** The diff text cut out of the body (from the first "diff --git" up to the signature). */
  diffText: string;
  /** 1-based body line where diffText starts. */
  diffBodyLine: number;
  files: FileDiff[];
  /** Text after "-- " (git version or mail signature), or null. */
  signature: string | null;
  baseCommit: string | null;
  prerequisitePatchIds: string[];
  changeId: string | null;
  /** An in-body "From:" line (git mailinfo): the patch's real author, overriding the mail's From. */
  inBodyFrom?: Address;
  /** An in-body "Subject:" line (git mailinfo), overriding the mail's Subject. */
  inBodySubject?: string;
}

export interface Patch extends PatchBody {
  counter: number;
  messageId: string;
  subject: string;
  author: Address | null;
  date: string | null;
  /** Messages that reply to this patch (Message-IDs), any depth. */
  replies: string[];
  /**
   * Set when the mail is a series member whose patch could not be used (a broken diff, no
   * diff at all): `files` is then [] and the mail is also listed in the run's quarantine.
   */
  error?: { code: string; reason: string };
}
