export type Severity = 'error' | 'warning' | 'info';

/** One point the bot makes. */
export interface Finding {
  ruleId: string;
  /** The rule's message key (which of its messages this is). */
  kind?: string;
  severity: Severity;
  /** Patch counter (1-based); 0 for the cover letter / series-level points. */
  patch: number;
  /** The Message-ID of the mail it answers (patch, or cover / patch 1 for series points). */
  messageId: string;
  /** Path in the tree, null for points about the mail itself (subject, trailers). */
  file: string | null;
  /** New-side line in the patched file (the patch's own numbering); null when not tied to a line. */
  line: number | null;
  /** The reviewer's words, plain text, may span sentences; no trailing newline. */
  message: string;
  /** Kernel source, documentation or review that backs the point ("kernel/bpf/verifier.c: regsafe()"). */
  source?: string;
  /** Stable across runs and rebases: rule + file + normalised content of the line(s) + key data. */
  fingerprint: string;
}

export interface SeriesReview {
  seriesId: string;
  subject: string;
  revision: number;
  messageId: string;
  findings: Finding[];
  /** Checks that could not run (no tree, patch did not apply, ...), in words. */
  notRun: string[];
  /** How the review ran (which base the series was applied on, ...), in words. */
  notes?: string[];
  /** Named problems met while reviewing (patch does not apply, rule crashed) */
  errors: { code: string; message: string; patch?: number }[];
}
