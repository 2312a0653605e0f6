import type { FileDiff } from '../model/diff.js';
import type { FactsDiff, TreeFacts } from '../model/kernel-facts.js';

/**
 * How the engine turns file contents into TreeFacts, and hunks into diff-only facts.
 * Set once at start-up by the kernel layer (src/kernel registers its extractors), so the
 * engine does not import the kernel layer's internals and tests can register the real ones.
 */
export interface FactsExtractors {
  fromFiles(files: ReadonlyMap<string, string>): TreeFacts;
  fromDiff(files: FileDiff[]): Partial<TreeFacts>;
  diff(before: TreeFacts, after: TreeFacts): FactsDiff;
}

let extractors: FactsExtractors | null = null;

export function registerFactsExtractors(e: FactsExtractors): void {
  extractors = e;
}

export function factsExtractors(): FactsExtractors {
  if (!extractors) throw new Error('facts extractors not registered: call registerKernelFacts() from src/kernel first');
  return extractors;
}

export function hasFactsExtractors(): boolean {
  return extractors !== null;
}
