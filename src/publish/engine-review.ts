import type { Message, Series, SeriesReview } from '../model/index.js';
import { reviewSeries } from '../pipeline/review-series.js';
import { openKernelTree, type KernelTree } from '../kernel/kernel-tree.js';
import { memoryFactsCache } from '../kernel/series-facts.js';

/** The review engine's entry as the publishers use it (injected, so tests can pass their own). */
export type ReviewFn = (series: Series, ctx: { messages: Map<string, Message> }) => Promise<SeriesReview>;

export class EngineUnavailableError extends Error {
  constructor(detail: string) {
    super(`the review engine is not available in this build (${detail})`);
    this.name = 'EngineUnavailableError';
  }
}

/**
 * The engine's `reviewSeries` (src/pipeline/review-series.ts), with a kernel tree when one is
 * configured (`tree`, else the BPF_REVIEW_TREE environment variable): the tree is opened once and
 * base facts are kept between reviews.
 */
export async function loadEngineReview(opts: { tree?: string | null } = {}): Promise<ReviewFn> {
  const dir = opts.tree ?? process.env.BPF_REVIEW_TREE ?? null;
  let tree: KernelTree | null = null;
  if (dir) {
    try {
      tree = await openKernelTree(dir);
    } catch (err) {
      throw new EngineUnavailableError(`kernel tree ${dir}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const factsCache = memoryFactsCache();
  return (series, ctx) => reviewSeries(series, { messages: ctx.messages, tree, factsCache });
}
