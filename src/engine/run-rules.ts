import type { Finding, SeriesReview, Severity } from '../model/diagnostic.js';
import type { Series } from '../model/series.js';
import type { Patch } from '../model/patch.js';
import type { KernelVersion, TreeFacts } from '../model/kernel-facts.js';
import type { FileDiff } from '../model/diff.js';
import { filePath } from '../model/diff.js';
import type { PatchModelView, PatchRule, PatchTreeView, ReportDescriptor, Rule, SeriesReportDescriptor, SeriesRule } from './rule-kit.js';
import { formatMessage } from './rule-kit.js';
import { fingerprint } from './fingerprint.js';
import { settingFor, type ReviewConfig } from './review-config.js';

export interface RuleRunInput {
  series: Series;
  version: KernelVersion | null;
  mode: 'tree' | 'diff-only';
  /** Per patch (same order as series.patches). */
  trees: (PatchTreeView | null)[];
  models: (PatchModelView | null)[];
  /** Facts read from each patch's hunks alone. */
  diffFacts: Partial<TreeFacts>[];
  /** Reasons checks could not run (from applying, the model...). */
  notRun?: string[];
  notes?: string[];
  errors?: SeriesReview['errors'];
}

export interface RuleRunOptions {
  config?: ReviewConfig;
  /** Keep findings on lines the series does not change (default false: a review speaks to the change). */
  keepUnchangedLines?: boolean;
}

export const INTERNAL_ERROR_RULE = 'internal-error';

/** The text of a new-side line inside a patch's hunks, or null when the line is not in a hunk. */
export function lineInPatch(files: FileDiff[], file: string, line: number): { text: string; added: boolean } | null {
  for (const f of files) {
    if (filePath(f) !== file) continue;
    for (const h of f.hunks) {
      for (const l of h.lines) {
        if (l.newLine === line) return { text: l.text, added: l.kind === 'add' };
      }
    }
  }
  return null;
}

/** Runs every enabled rule over the series; a rule that throws becomes an internal finding and the others still run. */
export function runRules(rules: Rule[], input: RuleRunInput, opts: RuleRunOptions = {}): SeriesReview {
  const { series } = input;
  const config = opts.config ?? {};
  const findings: Finding[] = [];
  const notRun = new Set(input.notRun ?? []);
  const seen = new Set<string>();
  const firstMessageId = series.cover?.messageId ?? series.patches[0]?.messageId ?? series.id;

  const emit = (rule: Rule, d: ReportDescriptor, patch: Patch | null) => {
    const file = d.file ?? null;
    const line = file !== null && d.line != null ? d.line : null;
    const setting = settingFor(config, rule.meta.id, d.severity ?? rule.meta.severity, file);
    if (setting === 'off') return;
    const template = rule.meta.messages[d.messageId];
    if (template === undefined) throw new Error(`rule ${rule.meta.id} reported unknown messageId '${d.messageId}'`);
    let lineText: string | null = null;
    if (patch && file !== null && line !== null) {
      const hit = lineInPatch(patch.files, file, line);
      if ((!hit || !hit.added) && !opts.keepUnchangedLines) return;
      lineText = hit?.text ?? null;
    }
    const f: Finding = {
      ruleId: rule.meta.id,
      severity: setting as Severity,
      patch: patch?.counter ?? 0,
      messageId: patch?.messageId ?? firstMessageId,
      file,
      line,
      message: formatMessage(template, d.data),
      kind: d.messageId,
      source: rule.meta.source,
      fingerprint: fingerprint({ ruleId: rule.meta.id, messageId: d.messageId, file, lineText, key: d.key ?? JSON.stringify(d.data ?? {}), subject: patch?.subject ?? series.subject }),
    };
    if (seen.has(f.fingerprint + ':' + f.patch)) return;
    seen.add(f.fingerprint + ':' + f.patch);
    findings.push(f);
  };

  const crash = (rule: Rule, err: unknown, patch: Patch | null) => {
    const msg = err instanceof Error ? err.message : String(err);
    findings.push({
      ruleId: INTERNAL_ERROR_RULE,
      severity: 'info',
      patch: patch?.counter ?? 0,
      messageId: patch?.messageId ?? firstMessageId,
      file: null,
      line: null,
      message: `rule ${rule.meta.id} crashed: ${msg}`,
      fingerprint: fingerprint({ ruleId: INTERNAL_ERROR_RULE, messageId: rule.meta.id, file: null, lineText: msg, subject: patch?.subject ?? series.subject }),
    });
  };

  const anywhere = (need: string) => (need === 'model' ? input.models.some((m) => m !== null) : input.trees.some((t) => t !== null));
  const here = (need: string, i: number) => (need === 'model' ? input.models[i] != null : input.trees[i] != null);
  /** Whether the rule can run (for patch i, or for the series); says why not once, when it can run nowhere. */
  const available = (rule: Rule, i: number | null): boolean => {
    for (const need of rule.meta.needs) {
      if (!anywhere(need)) {
        notRun.add(`${rule.meta.id}: needs ${need === 'model' ? 'the verifier model' : 'a kernel tree the series applies to'}`);
        return false;
      }
      if (i !== null && !here(need, i)) return false;
    }
    return true;
  };

  const isPatchRule = (r: Rule): r is PatchRule => r.meta.scope === 'patch';
  for (const rule of rules) {
    if (isPatchRule(rule)) {
      series.patches.forEach((patch, index) => {
        if (!available(rule, index)) return;
        try {
          rule.check({
            series, version: input.version, mode: input.mode, patch, index,
            tree: input.trees[index] ?? null,
            diffFacts: input.diffFacts[index] ?? {},
            model: input.models[index] ?? null,
            report: (d) => emit(rule, d, patch),
          });
        } catch (err) {
          crash(rule, err, patch);
        }
      });
    } else {
      if (!available(rule, null)) continue;
      try {
        (rule as SeriesRule).check({
          series, version: input.version, mode: input.mode, trees: input.trees, models: input.models,
          report: (d: SeriesReportDescriptor) => {
            const patch = d.patch ? series.patches.find((p) => p.counter === d.patch) ?? null : null;
            emit(rule, d, patch);
          },
        });
      } catch (err) {
        crash(rule, err, null);
      }
    }
  }

  const order: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  findings.sort((a, b) => a.patch - b.patch || order[a.severity] - order[b.severity] || (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0));
  return {
    seriesId: series.id,
    subject: series.subject,
    revision: series.revision,
    messageId: firstMessageId,
    findings,
    notRun: [...notRun].sort(),
    notes: input.notes ?? [],
    errors: input.errors ?? [],
  };
}
