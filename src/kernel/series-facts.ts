/**
 * The facts of a tree before a series, after each of its patches (bisect view) and the
 * difference; or, when the series does not apply, what the hunks alone show (diff-only).
 * IO edge (git), built on the pure extraction.
 */
import type { FileDiff } from '../model/diff.js';
import type { FactsDiff, TreeFacts } from '../model/kernel-facts.js';
import type { CParser } from './c-parser.js';
import { diffFacts } from './diff-facts.js';
import { extractFacts, extractFactsIncremental } from './extract-facts.js';
import { extractFactsFromDiff, type DiffOnlyFacts } from './extract-facts-from-diff.js';
import { applySeries, changedFiles, readTreeFiles, type AppliedSeries, type KernelTree, type SeriesPatch } from './kernel-tree.js';
import { overlayTreeFiles, type TreeFiles } from './tree-files.js';

export interface SeriesFactsPatch extends SeriesPatch {
  /** Parsed hunks, for diff-only mode. */
  files: FileDiff[];
}

export interface PatchFacts {
  counter: number;
  commit: string;
  facts: TreeFacts;
  /** What this patch changed (against the state before it). */
  diff: FactsDiff;
  /** Paths this patch touched. */
  changed: string[];
}

export interface SeriesFacts {
  applied: AppliedSeries;
  /** Facts of the base the series was applied on. */
  base: TreeFacts;
  /** One entry per applied patch, in order (all of them in tree mode). */
  perPatch: PatchFacts[];
  /** Facts after the whole series; null in diff-only mode. */
  final: TreeFacts | null;
  /** base -> final; null in diff-only mode. */
  diff: FactsDiff | null;
  /** Diff-only mode: what the hunks of every patch show, and which checks were not run. */
  diffOnly: DiffOnlyFacts | null;
}

/** Apply `patches` and extract facts at the base and after every patch (re-reading only touched files). */
export async function extractSeriesFacts(tree: KernelTree, patches: SeriesFactsPatch[], baseCommit: string | null, parser: CParser): Promise<SeriesFacts> {
  const applied = await applySeries(tree, patches, baseCommit);
  const baseFiles = await readTreeFiles(tree, applied.base);
  const base = extractFacts(baseFiles, parser);
  const perPatch: PatchFacts[] = [];
  let prevFacts = base;
  let prevCommit = applied.base;
  let context: TreeFiles = baseFiles;
  for (const r of applied.patches) {
    if (!r.commit) break;
    const changed = await changedFiles(tree, prevCommit, r.commit);
    const facts = extractFactsIncremental(prevFacts, changed, parser, { context });
    perPatch.push({ counter: r.counter, commit: r.commit, facts, diff: diffFacts(prevFacts, facts), changed: [...changed.keys()] });
    context = overlayTreeFiles(context, changed);
    prevFacts = facts;
    prevCommit = r.commit;
  }
  if (applied.mode === 'tree') {
    return { applied, base, perPatch, final: prevFacts, diff: diffFacts(base, prevFacts), diffOnly: null };
  }
  return { applied, base, perPatch, final: null, diff: null, diffOnly: extractFactsFromDiff(patches.flatMap((p) => p.files)) };
}
