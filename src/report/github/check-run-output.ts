import type { Finding, Series, SeriesReview } from '../../model/index.js';
import { lineAtHead } from './line-at-head.js';

export type CheckConclusion = 'success' | 'neutral' | 'failure';

/** One annotation as the Checks API takes it. */
export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'failure' | 'warning' | 'notice';
  message: string;
  title: string;
  raw_details?: string;
}

export interface CheckRunOutput {
  conclusion: CheckConclusion;
  title: string;
  /** Markdown, the findings grouped by patch. */
  summary: string;
  annotations: CheckAnnotation[];
}

/** GitHub rejects output.summary above 65535 characters. */
const SUMMARY_MAX = 65_000;
const LEVEL = { error: 'failure', warning: 'warning', info: 'notice' } as const;
const INTERNAL = 'internal-error';

const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;

/** Backslash-escape what Markdown would read as markup inside one line of prose. */
function md(s: string): string {
  return s.replace(/([\\`*_[\]<>|#])/g, '\\$1');
}

function item(f: Finding): string {
  const where = f.file === null ? '' : ` \`${f.file}${f.line !== null ? `:${f.line}` : ''}\``;
  const sev = f.ruleId === INTERNAL ? 'note' : f.severity;
  const text = md(f.message).replace(/\n+/g, ' ');
  return `- **${sev}**${where}: ${text}${f.source ? ` (see ${md(f.source)})` : ''} — \`${f.ruleId}\``;
}

/**
 * The check run for one reviewed pull request: failure for errors, neutral for warnings only,
 * success otherwise; the bot's own crashes appear as notes and never fail the check.
 */
export function renderCheckRun(series: Series, review: SeriesReview): CheckRunOutput {
  const real = review.findings.filter((f) => f.ruleId !== INTERNAL);
  const errors = real.filter((f) => f.severity === 'error').length;
  const warnings = real.filter((f) => f.severity === 'warning').length;
  const infos = real.filter((f) => f.severity === 'info').length;
  const conclusion: CheckConclusion = errors > 0 ? 'failure' : warnings > 0 ? 'neutral' : 'success';
  const parts = [errors ? plural(errors, 'error') : '', warnings ? plural(warnings, 'warning') : '', infos ? plural(infos, 'style note') : ''].filter(Boolean);
  const title = parts.length > 0 ? parts.join(', ') : 'No findings';

  const lines: string[] = [`bpf-review checked ${plural(series.patches.length, 'commit')} for kfunc flag, verifier state and reference ownership problems.`, ''];
  const byPatch = new Map<number, Finding[]>();
  for (const f of review.findings) byPatch.set(f.patch, [...(byPatch.get(f.patch) ?? []), f]);
  const seriesLevel = byPatch.get(0) ?? [];
  if (seriesLevel.length > 0) {
    lines.push('### The series as a whole', '', ...seriesLevel.map(item), '');
  }
  for (const p of series.patches) {
    const fs = byPatch.get(p.counter);
    if (!fs || fs.length === 0) continue;
    lines.push(`### ${p.counter}/${series.patches.length}: ${md(p.subject)}`, '', ...fs.map(item), '');
  }
  if (review.notRun.length > 0) lines.push('### Not checked', '', ...review.notRun.map((n) => `- ${md(n)}`), '');
  if (review.errors.length > 0) lines.push('### Problems met while reviewing', '', ...review.errors.map((e) => `- \`${e.code}\`${e.patch ? ` (commit ${e.patch})` : ''}: ${md(e.message)}`), '');
  lines.push('This is an automated review; it does not approve or reject. If a point is wrong, say so in the pull request.');
  let summary = lines.join('\n');
  if (summary.length > SUMMARY_MAX) summary = `${summary.slice(0, SUMMARY_MAX)}\n\n… (truncated)`;

  // annotations belong to the head commit: move each line through the later commits
  const annotations: CheckAnnotation[] = [];
  for (const f of real) {
    if (f.file === null || f.line === null || f.line <= 0) continue;
    const head = f.patch > 0 ? lineAtHead(series, f.patch, f.file, f.line) : { file: f.file, line: f.line };
    if (!head) continue; // a later commit changed that line: the summary still has the point
    const a: CheckAnnotation = { path: head.file, start_line: head.line, end_line: head.line, annotation_level: LEVEL[f.severity], message: f.message, title: f.ruleId };
    if (f.source) a.raw_details = `See ${f.source}`;
    annotations.push(a);
  }
  return { conclusion, title, summary, annotations };
}

/** Annotations in batches of at most `size` (the Checks API takes 50 per request). */
export function batches<T>(items: T[], size = 50): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
