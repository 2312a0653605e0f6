import type { Finding, SeriesReview } from '../model/index.js';

/**
 * One entry of b4's external check protocol (b4 review, src/b4/review/checks.py in
 * mricon/b4: `_run_external_cmd`): the command gets one RFC 2822 message on stdin and prints a
 * JSON list of these; status must be pass, warn or fail; summary, url and details are strings
 * (b4's own checks put a JSON list of {status, description} in details).
 */
export interface B4CheckResult {
  tool: string;
  status: 'pass' | 'warn' | 'fail';
  summary: string;
  url: string;
  details: string;
}

const STATUS = { error: 'fail', warning: 'warn', info: 'pass' } as const;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function describe(f: Finding): string {
  const where = f.file === null ? '' : f.line === null ? `${f.file}: ` : `${f.file}:${f.line}: `;
  return `${where}${f.message}${f.source ? ` (see ${f.source})` : ''} [${f.ruleId}]`;
}

/**
 * The check result for the patches of one review (all of them, or those with the given counters).
 * Errors fail, warnings warn, info passes (with a count); the bot's own crashes warn, because
 * the check did not complete, and say so.
 */
export function toB4Check(review: SeriesReview, opts: { url?: string; patches?: number[] } = {}): B4CheckResult[] {
  const mine = (f: Finding): boolean => !opts.patches || opts.patches.includes(f.patch) || f.patch === 0;
  const findings = review.findings.filter(mine);
  const internal = findings.filter((f) => f.ruleId === 'internal-error');
  const real = findings.filter((f) => f.ruleId !== 'internal-error');
  const count = (s: Finding['severity']): number => real.filter((f) => f.severity === s).length;
  const errors = count('error');
  const warnings = count('warning');
  const infos = count('info');
  const status: B4CheckResult['status'] = errors > 0 ? 'fail' : warnings > 0 || internal.length > 0 || review.errors.length > 0 ? 'warn' : 'pass';
  const parts = [errors ? plural(errors, 'error') : '', warnings ? plural(warnings, 'warning') : '', infos ? `${infos} style note${infos === 1 ? '' : 's'}` : ''].filter(Boolean);
  let summary = parts.length > 0 ? parts.join(', ') : 'no findings';
  if (internal.length > 0 || review.errors.length > 0) summary += '; the review did not complete';
  if (review.notRun.length > 0) summary += `; not run: ${review.notRun.join(', ')}`;
  const details = [
    ...real.map((f) => ({ status: STATUS[f.severity], description: describe(f) })),
    ...internal.map((f) => ({ status: 'warn', description: `bpf-review internal error: ${f.message}` })),
    ...review.errors.map((e) => ({ status: 'warn', description: `${e.code}: ${e.message}` })),
  ];
  return [{ tool: 'bpf-review', status, summary, url: opts.url ?? '', details: details.length > 0 ? JSON.stringify(details) : '' }];
}
