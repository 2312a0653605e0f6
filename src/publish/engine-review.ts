import type { Message, Series, SeriesReview } from '../model/index.js';

/** The review engine's entry as the publishers use it (injected, so tests can pass their own). */
export type ReviewFn = (series: Series, ctx: { messages: Map<string, Message> }) => Promise<SeriesReview>;

export class EngineUnavailableError extends Error {
  constructor(detail: string) {
    super(`the review engine is not available in this build (${detail})`);
    this.name = 'EngineUnavailableError';
  }
}

/**
 * The engine's `reviewSeries` (src/engine/review-series.ts), loaded when first needed so the
 * commands and the app register even while the engine is absent; a clear error otherwise.
 */
export async function loadEngineReview(): Promise<ReviewFn> {
  const path = '../engine/review-series.js';
  let mod: Record<string, unknown>;
  try {
    mod = (await import(path)) as Record<string, unknown>;
  } catch (err) {
    throw new EngineUnavailableError(err instanceof Error ? err.message : String(err));
  }
  const fn = mod.reviewSeries;
  if (typeof fn !== 'function') throw new EngineUnavailableError('src/engine/review-series.ts exports no reviewSeries');
  return async (series, ctx) => await (fn as (s: Series, c: unknown) => Promise<SeriesReview> | SeriesReview)(series, ctx);
}
