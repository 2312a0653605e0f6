import type { Finding, Series, SeriesReview } from '../model/index.js';

export type PatchworkState = 'pending' | 'success' | 'warning' | 'fail';

/** The body of POST /api/1.2/patches/{id}/checks/. */
export interface PatchworkCheck {
  state: PatchworkState;
  target_url: string | null;
  context: string;
  description: string;
}

export interface PatchCheck {
  messageId: string;
  patch: number;
  check: PatchworkCheck;
}

const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;

function describe(findings: Finding[], notRun: string[]): { state: PatchworkState; description: string } {
  const real = findings.filter((f) => f.ruleId !== 'internal-error');
  const errors = real.filter((f) => f.severity === 'error').length;
  const warnings = real.filter((f) => f.severity === 'warning').length;
  const infos = real.filter((f) => f.severity === 'info').length;
  const state: PatchworkState = errors > 0 ? 'fail' : warnings > 0 ? 'warning' : 'success';
  const parts = [errors ? plural(errors, 'error') : '', warnings ? plural(warnings, 'warning') : '', infos ? plural(infos, 'style note') : ''].filter(Boolean);
  let description = parts.length > 0 ? parts.join(', ') : 'no findings';
  const first = real.find((f) => f.severity === 'error') ?? real.find((f) => f.severity === 'warning');
  if (first) description += `: ${first.ruleId}${first.file ? ` in ${first.file}` : ''}`;
  if (findings.length > real.length) description += ' (review incomplete)';
  if (notRun.length > 0) description += `; not run: ${notRun.join(', ')}`;
  return { state, description: description.length > 250 ? `${description.slice(0, 247)}...` : description };
}

/**
 * One patchwork check per patch (context "bpf-review"): fail for errors, warning for warnings,
 * success otherwise. Series-level points count on patch 1 (patchwork has no checks on covers).
 */
export function toPatchworkChecks(series: Series, review: SeriesReview, opts: { targetUrl?: string; context?: string } = {}): PatchCheck[] {
  const first = series.patches[0]?.counter;
  return series.patches.map((p) => {
    const findings = review.findings.filter((f) => f.patch === p.counter || (p.counter === first && (f.patch === 0 || !series.patches.some((q) => q.counter === f.patch))));
    const { state, description } = describe(findings, review.notRun);
    return { messageId: p.messageId, patch: p.counter, check: { state, target_url: opts.targetUrl ?? null, context: opts.context ?? 'bpf-review', description } };
  });
}
