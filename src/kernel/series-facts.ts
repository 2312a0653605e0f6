/**
 * The facts of a tree before a series, after each of its patches (bisect view) and the
 * difference; or, when the series does not apply, what the hunks alone show (diff-only).
 * IO edge (git), built on the pure extraction.
 */
import type { FileDiff } from '../model/diff.js';
import type { FactsDiff, TreeFacts } from '../model/kernel-facts.js';
import type { CParser } from './c-parser.js';
import { diffFacts } from './diff-facts.js';
import { emptyTreeFacts, extractFacts, extractFactsIncremental } from './extract-facts.js';
import { extractFactsFromDiff, type DiffOnlyFacts } from './extract-facts-from-diff.js';
import { applySeries, changedFiles, readChanged, readTreeFiles, type AppliedSeries, type KernelTree, type SeriesPatch } from './kernel-tree.js';
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

/** Facts of whole trees by commit (and selftest selection), kept between reviews against the same base. */
export interface FactsCache {
  get(key: string): TreeFacts | undefined;
  set(key: string, facts: TreeFacts): void;
}

export interface SeriesFactsOptions {
  /** Only these selftest .c files have their programs read (see ExtractOptions.selftestFilter). */
  selftestFilter?: (path: string) => boolean;
  /** Key that names the filter in cache keys (e.g. the sorted paths). */
  selftestFilterKey?: string;
  cache?: FactsCache;
}

/** An in-memory cache holding the facts of the last few bases. */
export function memoryFactsCache(max = 4): FactsCache {
  const m = new Map<string, TreeFacts>();
  return {
    get: (k) => m.get(k),
    set: (k, f) => {
      m.set(k, f);
      while (m.size > max) m.delete(m.keys().next().value as string);
    },
  };
}

const EMPTY_FILES: TreeFiles = { list: () => [], read: () => null };

/** Apply `patches` and extract facts at the base and after every patch (re-reading only touched files). */
export async function extractSeriesFacts(tree: KernelTree, patches: SeriesFactsPatch[], baseCommit: string | null, parser: CParser, opts: SeriesFactsOptions = {}): Promise<SeriesFacts> {
  const applied = await applySeries(tree, patches, baseCommit);
  const extractOpts = opts.selftestFilter ? { selftestFilter: opts.selftestFilter } : {};
  if (!applied.patches[0]?.commit) {
    // nothing applied: diff-only, and the base's facts would serve no check
    return { applied, base: emptyTreeFacts(), perPatch: [], final: null, diff: null, diffOnly: extractFactsFromDiff(patches.flatMap((p) => p.files)) };
  }
  const cacheKey = `${applied.base}:${opts.selftestFilterKey ?? (opts.selftestFilter ? 'filtered' : 'all')}`;
  let base = opts.cache?.get(cacheKey);
  // with cached base facts the tree's candidate files are not read again; later lookups that
  // need untouched files (X-macro lists defined in another header) then see only what changed
  let context: TreeFiles = EMPTY_FILES;
  if (!base) {
    const baseFiles = await readTreeFiles(tree, applied.base);
    base = extractFacts(baseFiles, parser, extractOpts);
    opts.cache?.set(cacheKey, base);
    context = baseFiles;
  }
  const perPatch: PatchFacts[] = [];
  let prevFacts = base;
  let prevCommit = applied.base;
  for (const r of applied.patches) {
    if (!r.commit) break;
    const changed = r.changed ? await readChanged(tree, r.commit, r.changed) : await changedFiles(tree, prevCommit, r.commit);
    const facts = extractFactsIncremental(prevFacts, changed, parser, { context, ...extractOpts });
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
