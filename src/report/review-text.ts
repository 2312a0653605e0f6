import type { Finding, SeriesReview } from '../model/diagnostic.js';
import { totals, type ReviewRunSummary } from './review-json.js';

const SEVERITY_WIDTH = 7;

function findingLine(f: Finding): string {
  const where = f.file ? `${f.file}${f.line !== null ? `:${f.line}` : ''}` : '(mail)';
  const head = `    ${f.severity.padEnd(SEVERITY_WIDTH)} ${where}  [${f.ruleId}]`;
  const body = f.message.split('\n').map((l) => `      ${l}`).join('\n');
  return `${head}\n${body}`;
}

function renderSeries(r: SeriesReview, subjects: Map<number, string>): string {
  const out: string[] = [];
  out.push(`${r.subject}`);
  out.push(`  revision ${r.revision}, ${r.messageId}`);
  const byPatch = new Map<number, Finding[]>();
  for (const f of r.findings) {
    const list = byPatch.get(f.patch) ?? [];
    list.push(f);
    byPatch.set(f.patch, list);
  }
  for (const patch of [...byPatch.keys()].sort((a, b) => a - b)) {
    const label = patch === 0 ? 'series' : `patch ${patch}${subjects.get(patch) ? `: ${subjects.get(patch)}` : ''}`;
    out.push(`  ${label}`);
    for (const f of byPatch.get(patch) ?? []) out.push(findingLine(f));
  }
  if (r.findings.length === 0) out.push('  no findings');
  for (const e of r.errors) out.push(`  error: ${e.patch !== undefined ? `patch ${e.patch}: ` : ''}${e.message}`);
  for (const n of r.notes ?? []) out.push(`  note: ${n}`);
  for (const n of r.notRun) out.push(`  not run: ${n}`);
  return out.join('\n');
}

/** The human-readable form of a review run (`review`, the default format). */
export function renderReviewText(run: ReviewRunSummary, patchSubjects: Map<string, Map<number, string>> = new Map()): string {
  const parts = run.reviews.map((r) => renderSeries(r, patchSubjects.get(r.messageId) ?? new Map()));
  for (const q of run.quarantined) parts.push(`quarantined: ${q.source}${q.messageId ? ` <${q.messageId}>` : ''}: ${q.reason}`);
  for (const e of run.errors) parts.push(`error: ${e.source ? `${e.source}: ` : ''}${e.message}`);
  const t = totals(run.reviews);
  const acc = run.accounting ? `; messages ${Object.entries(run.accounting).map(([k, v]) => `${k} ${v}`).join(', ')}` : '';
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  parts.push(`${run.reviews.length} series reviewed: ${n(t.error, 'error')}, ${n(t.warning, 'warning')}, ${t.info} info${acc}`);
  return parts.join('\n\n') + '\n';
}
