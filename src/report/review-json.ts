import type { SeriesReview } from '../model/diagnostic.js';
import type { Quarantined } from '../model/errors.js';

export interface ReviewRunSummary {
  reviews: SeriesReview[];
  quarantined: Quarantined[];
  accounting?: Record<string, number>;
  /** Problems that stopped a part of the run (a source that could not be read, ...). */
  errors: { code: string; message: string; source?: string }[];
}

/** The JSON form of a review run (`review --format json`). */
export function renderReviewJson(run: ReviewRunSummary): string {
  const out = {
    series: run.reviews.map((r) => ({
      subject: r.subject,
      revision: r.revision,
      messageId: r.messageId,
      findings: r.findings.map((f) => ({
        ruleId: f.ruleId,
        severity: f.severity,
        patch: f.patch,
        messageId: f.messageId,
        file: f.file,
        line: f.line,
        message: f.message,
        source: f.source ?? null,
        fingerprint: f.fingerprint,
      })),
      notRun: r.notRun,
      notes: r.notes ?? [],
      errors: r.errors,
    })),
    errors: [
      ...run.errors,
      ...run.reviews.flatMap((r) => r.errors.map((e) => ({ ...e, series: r.messageId }))),
    ],
    quarantined: run.quarantined.map((q) => ({ source: q.source, messageId: q.messageId, reason: q.reason })),
    accounting: run.accounting ?? null,
    totals: totals(run.reviews),
  };
  return JSON.stringify(out, null, 2) + '\n';
}

export function totals(reviews: SeriesReview[]): { error: number; warning: number; info: number } {
  const t = { error: 0, warning: 0, info: 0 };
  for (const r of reviews) for (const f of r.findings) if (f.ruleId !== 'internal-error') t[f.severity]++;
  return t;
}
