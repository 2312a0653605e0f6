/**
 * The review of one series: apply it to the kernel tree patch by patch (when there is a tree),
 * extract facts before and after each patch, run the verifier model where a patch touches what it
 * models, and run the rule pack. IO (git) happens here; everything it calls is pure.
 */
import type { Message } from '../model/message.js';
import type { Series } from '../model/series.js';
import type { SeriesReview } from '../model/diagnostic.js';
import type { KernelVersion, TreeFacts } from '../model/kernel-facts.js';
import type { Rule, PatchModelView, PatchTreeView } from '../engine/rule-kit.js';
import { runRules } from '../engine/run-rules.js';
import type { ReviewConfig } from '../engine/review-config.js';
import { factsExtractors } from '../engine/tree-facts-adapter.js';
import { loadCParser, type CParser } from '../kernel/c-parser.js';
import { readBlobs, type KernelTree } from '../kernel/kernel-tree.js';
import { extractSeriesFacts, type FactsCache, type SeriesFacts } from '../kernel/series-facts.js';
import { TREE_ONLY_CHECKS } from '../kernel/extract-facts-from-diff.js';
import { allRules } from '../../rules/index.js';
import { registerKernelFacts } from '../kernel/register-facts.js';
import { modelViewsForSeries } from './model-views.js';

export interface ReviewSeriesContext {
  /** All messages read (replies, cover letters), by Message-ID. */
  messages: Map<string, Message>;
  /** An opened kernel tree; null/absent = diff-only mode. */
  tree?: KernelTree | null;
  config?: ReviewConfig;
  rules?: Rule[];
  /** Run the verifier model over the graph selftests (default: true when there is a tree). */
  model?: boolean;
  /** The tree-sitter parser (loaded once per process when absent). */
  parser?: CParser;
  /** Facts of base trees kept between series (the daemon and a run over many series share one). */
  factsCache?: FactsCache;
}

const SELFTESTS = 'tools/testing/selftests/bpf/';

function treeViews(facts: SeriesFacts, tree: KernelTree, touched: Map<string, string[]>): Promise<(PatchTreeView | null)[]> {
  return Promise.all(facts.applied.patches.map(async (r, i) => {
    const pf = facts.perPatch[i];
    if (!r.commit || !pf) return null;
    const prevCommit = i === 0 ? facts.applied.base : (facts.perPatch[i - 1]?.commit ?? facts.applied.base);
    const before: TreeFacts = i === 0 ? facts.base : (facts.perPatch[i - 1]?.facts ?? facts.base);
    const paths = touched.get(String(r.counter)) ?? [];
    const [oldBlobs, newBlobs] = await Promise.all([readBlobs(tree, prevCommit, paths), readBlobs(tree, r.commit, paths)]);
    return {
      before,
      after: pf.facts,
      diff: pf.diff,
      readBefore: (p: string) => oldBlobs.get(p) ?? null,
      readAfter: (p: string) => newBlobs.get(p) ?? null,
    } satisfies PatchTreeView;
  }));
}

/** Reviews one series; never throws for bad input (it becomes an error entry or a not-run note). */
export async function reviewSeries(series: Series, ctx: ReviewSeriesContext): Promise<SeriesReview> {
  const parser = ctx.parser ?? (await loadCParser());
  await registerKernelFacts(parser);
  const rules = ctx.rules ?? allRules;
  const errors: SeriesReview['errors'] = [];
  const notRun: string[] = [];
  const notes: string[] = [];
  const diffFacts = series.patches.map((p) => factsExtractors().fromDiff(p.files));
  let trees: (PatchTreeView | null)[] = series.patches.map(() => null);
  let models: (PatchModelView | null)[] = series.patches.map(() => null);
  let version: KernelVersion | null = null;
  let mode: 'tree' | 'diff-only' = 'diff-only';

  if (series.missing.length > 0) {
    notRun.push(`patches ${series.missing.join(', ')} of ${series.total} are missing: the series was reviewed as far as it goes and not applied to a tree`);
  }
  const touchedSelftests = new Set(series.patches.flatMap((p) => p.files.map((f) => f.newPath ?? f.oldPath ?? '')).filter((p) => p.startsWith(SELFTESTS) && p.endsWith('.c')));
  if (ctx.tree && series.missing.length === 0 && series.patches.length > 0) {
    const facts = await extractSeriesFacts(
      ctx.tree,
      series.patches.map((p) => ({ counter: p.counter, diffText: p.diffText, subject: p.subject, files: p.files })),
      series.baseCommit,
      parser,
      {
        // only the selftests the series touches can change, so only theirs are read
        selftestFilter: (path) => touchedSelftests.has(path),
        selftestFilterKey: [...touchedSelftests].sort().join(','),
        ...(ctx.factsCache ? { cache: ctx.factsCache } : {}),
      },
    );
    version = facts.base.version;
    notes.push(facts.applied.baseNote);
    for (const r of facts.applied.patches) {
      if (r.error) errors.push({ code: r.error.code, message: r.error.message, patch: r.counter });
    }
    const touched = new Map(series.patches.map((p) => [String(p.counter), p.files.map((f) => f.newPath ?? f.oldPath ?? '').filter(Boolean)]));
    trees = await treeViews(facts, ctx.tree, touched);
    if (facts.applied.mode === 'tree') {
      mode = 'tree';
      if (ctx.model !== false) {
        const m = await modelViewsForSeries(ctx.tree, facts, series, parser);
        models = m.views;
        notRun.push(...m.notRun);
        notes.push(...m.notes);
      }
    } else {
      notRun.push(`${facts.applied.reason ?? 'the series does not apply'}: reviewed in diff-only mode`);
      for (const c of TREE_ONLY_CHECKS) notRun.push(`${c.check}: ${c.reason}`);
    }
  } else if (!ctx.tree) {
    notRun.push('no kernel tree given (--tree): reviewed in diff-only mode');
    for (const c of TREE_ONLY_CHECKS) notRun.push(`${c.check}: ${c.reason}`);
  }

  return runRules(rules, { series, version, mode, trees, models, diffFacts, notRun, notes, errors }, { config: ctx.config });
}
