/**
 * A review run: read the sources, open the kernel tree (when given), review every series, and
 * keep every message accounted for. The `review` command and the b4 check are built on it.
 */
import type { SeriesReview } from '../model/diagnostic.js';
import type { Series } from '../model/series.js';
import type { Rule } from '../engine/rule-kit.js';
import type { ReviewConfig } from '../engine/review-config.js';
import { ingest, type IngestResult } from '../ingest/ingest.js';
import { openKernelTree, type KernelTree } from '../kernel/kernel-tree.js';
import { memoryFactsCache } from '../kernel/series-facts.js';
import { diskFactsCache } from '../kernel/disk-facts-cache.js';
import { reviewSeries } from './review-series.js';

export interface ReviewSourcesOptions {
  tree?: string | null;
  config?: ReviewConfig;
  rules?: Rule[];
  model?: boolean;
  /** Keep base-tree facts on disk here between runs. */
  cacheDir?: string | null;
}

export interface ReviewRun {
  ingest: IngestResult;
  reviewed: { series: Series; review: SeriesReview }[];
}

/** Throws SourceUnreadableError for an unreadable source or tree (the caller exits 2). */
export async function reviewSources(sources: readonly string[], opts: ReviewSourcesOptions = {}): Promise<ReviewRun> {
  const tree: KernelTree | null = opts.tree ? await openKernelTree(opts.tree) : null;
  try {
    const ingested = await ingest(sources);
    const reviewed: ReviewRun['reviewed'] = [];
    const memory = memoryFactsCache();
    const factsCache = opts.cacheDir ? diskFactsCache(opts.cacheDir, memory) : memory;
    for (const series of ingested.series) {
      const review = await reviewSeries(series, {
        messages: ingested.messagesById, tree, config: opts.config, rules: opts.rules, model: opts.model, factsCache,
      });
      reviewed.push({ series, review });
    }
    return { ingest: ingested, reviewed };
  } finally {
    await tree?.close();
  }
}
