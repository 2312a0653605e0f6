import type { Series } from '../model/series.js';
import type { Patch } from '../model/patch.js';
import type { Severity } from '../model/diagnostic.js';
import type { FactsDiff, KernelVersion, TreeFacts } from '../model/kernel-facts.js';

/** What a rule needs beyond the patch itself; the runner skips a rule (and says so) when it is not available. */
export type RuleNeed = 'tree' | 'facts' | 'model';

export interface RuleMeta {
  /** kebab-case, equal to the rule's folder name under rules/ */
  id: string;
  description: string;
  /** Default severity; config may override it. */
  severity: Severity;
  scope: 'patch' | 'series';
  needs: RuleNeed[];
  /** The kernel source, documentation or review that backs the rule. */
  source: string;
  /** messageId -> template; `{{name}}` is replaced by report data. */
  messages: Record<string, string>;
}

export interface ReportDescriptor {
  messageId: string;
  data?: Record<string, string | number>;
  /** Path in the tree; null/absent for points about the mail itself. */
  file?: string | null;
  /** New-side line in the patched file. */
  line?: number | null;
  /** Overrides the rule's severity for this one report (e.g. an error variant of a warning rule). */
  severity?: Severity;
  /** Extra material for the fingerprint when several reports share file, line and message. */
  key?: string;
}

export interface SeriesReportDescriptor extends ReportDescriptor {
  /** The patch the point is about (counter); 0 or absent = the series (cover letter). */
  patch?: number;
}

/** The tree state around one patch: facts and file contents before and after it. */
export interface PatchTreeView {
  before: TreeFacts | null;
  after: TreeFacts | null;
  /** before -> after */
  diff: FactsDiff | null;
  readBefore(path: string): string | null;
  readAfter(path: string): string | null;
}

export interface ModelFlip {
  program: string;
  file: string;
  /** Predicted verdicts before and after this patch. */
  before: string;
  after: string;
  expectedBefore: string | null;
  expectedAfter: string | null;
  /** The first later patch (counter) whose tree agrees with the expectation again, or null. */
  fixedBy: number | null;
  message: string | null;
  line: number | null;
}

export interface ModelDisagreement {
  program: string;
  file: string;
  line: number | null;
  expected: string;
  predicted: string;
  reason: string;
}

export interface PatchModelView {
  flips: ModelFlip[];
  disagreements: ModelDisagreement[];
}

export interface RuleContextBase {
  series: Series;
  version: KernelVersion | null;
  /** 'tree' when the series applied to a tree, else 'diff-only'. */
  mode: 'tree' | 'diff-only';
}

export interface PatchRuleContext extends RuleContextBase {
  patch: Patch;
  /** Position in series.patches (0-based). */
  index: number;
  /** null in diff-only mode. */
  tree: PatchTreeView | null;
  /** Facts seen in the hunks alone (always available). */
  diffFacts: Partial<TreeFacts>;
  model: PatchModelView | null;
  report(d: ReportDescriptor): void;
}

export interface SeriesRuleContext extends RuleContextBase {
  /** Per patch, same order as series.patches; null entries when there is no tree. */
  trees: (PatchTreeView | null)[];
  models: (PatchModelView | null)[];
  report(d: SeriesReportDescriptor): void;
}

export interface PatchRule {
  meta: RuleMeta & { scope: 'patch' };
  check(ctx: PatchRuleContext): void;
}

export interface SeriesRule {
  meta: RuleMeta & { scope: 'series' };
  check(ctx: SeriesRuleContext): void;
}

export type Rule = PatchRule | SeriesRule;

export function definePatchRule(meta: Omit<RuleMeta, 'scope'>, check: (ctx: PatchRuleContext) => void): PatchRule {
  return { meta: { ...meta, scope: 'patch' }, check };
}

export function defineSeriesRule(meta: Omit<RuleMeta, 'scope'>, check: (ctx: SeriesRuleContext) => void): SeriesRule {
  return { meta: { ...meta, scope: 'series' }, check };
}

/** Fills `{{name}}` placeholders; a missing datum is a bug in the rule, so it is left visible. */
export function formatMessage(template: string, data: Record<string, string | number> = {}): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => (name in data ? String(data[name]) : whole));
}
