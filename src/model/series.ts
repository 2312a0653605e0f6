import type { Patch } from './patch.js';
import type { Message } from './message.js';
import type { Address } from './message.js';
import type { Trailer } from './trailer.js';

export interface CoverLetter {
  messageId: string;
  subject: string;
  body: string;
  baseCommit: string | null;
  changeId: string | null;
}

export interface Series {
  /** Stable id: Message-ID of the cover letter, else of the first patch. */
  id: string;
  /** Exact subject of the cover (or of patch 1 when there is no cover). */
  subject: string;
  title: string;
  revision: number;
  total: number;
  tree: string | null;
  rfc: boolean;
  resend: boolean;
  author: Address | null;
  date: string | null;
  cover: CoverLetter | null;
  patches: Patch[];
  /** Counters 1..total not found. */
  missing: number[];
  /** Message-ID of the previous revision's first message, or null. */
  previous: string | null;
  /** Only the patches that changed were resent (partial reroll); the rest come from `previous`. */
  partialReroll: boolean;
  /** Threaded by References/In-Reply-To, or grouped by sender/time because it was not. */
  threading: 'threaded' | 'unthreaded';
  baseCommit: string | null;
  prerequisitePatchIds: string[];
  changeId: string | null;
  /** Replies to the cover letter (Message-IDs). */
  coverReplies: string[];
  /** Trailers given in replies to this series by their own senders (b4's follow-up trailers), per counter (0 = cover, applies to all). */
  followupTrailers: { counter: number; messageId: string; trailer: Trailer }[];
}

export interface Thread {
  /** Message-ID of the root we know (may be a missing parent's id when `rootMissing`). */
  root: string;
  rootMissing: boolean;
  messageIds: string[];
}

/** A quoted hunk line in a review reply and what the reviewer wrote under it. */
export interface ReviewComment {
  /** The reply's Message-ID. */
  messageId: string;
  reviewer: Address | null;
  /** The patch it answers (Message-ID). */
  inReplyTo: string;
  file: string | null;
  /** New-side line (or old side for a removed line) in the patch's numbering, null when it could not be placed. */
  line: number | null;
  side: 'new' | 'old' | null;
  /** The quoted lines that precede the comment, without '> '. */
  quoted: string[];
  comment: string;
}

export interface ReviewedMessage {
  message: Message;
  role: 'cover' | 'patch' | 'reply' | 'other';
}

/** The fields of a Series that say nothing happened yet: no gaps, no revision links, no replies. */
export function seriesDefaults(): Pick<Series, 'missing' | 'previous' | 'partialReroll' | 'threading' | 'baseCommit' | 'prerequisitePatchIds' | 'changeId' | 'coverReplies' | 'followupTrailers'> {
  return {
    missing: [], previous: null, partialReroll: false, threading: 'threaded', baseCommit: null,
    prerequisitePatchIds: [], changeId: null, coverReplies: [], followupTrailers: [],
  };
}
