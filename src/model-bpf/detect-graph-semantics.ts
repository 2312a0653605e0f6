import { maskComments } from '../kernel/c-text.js';
import type { VersionSemantics } from './version-semantics.js';

export type DetectedSemantics = Partial<Pick<VersionSemantics, 'releaseOnUnlock' | 'nonOwningRefs'>>;

/**
 * The graph-ownership semantics a verifier.c implements, read from the code rather than from the
 * Makefile version: a series can move a 6.2 tree to non-owning references (as the v6.3 series
 * did). release_on_unlock marks the v6.2 design, invalidate_non_owning_refs() the v6.3+ one. Only a
 * decisive text (one design, not both or neither) overrides the version's defaults.
 */
export function detectGraphSemantics(verifierC: string | null): DetectedSemantics {
  if (!verifierC) return {};
  const code = maskComments(verifierC, true);
  const releaseOnUnlock = /\brelease_on_unlock\b/.test(code);
  const nonOwning = /\binvalidate_non_owning_refs\s*\(/.test(code);
  if (releaseOnUnlock === nonOwning) return {};
  return { releaseOnUnlock, nonOwningRefs: nonOwning };
}

export function describeSemantics(s: DetectedSemantics): string {
  if (s.nonOwningRefs) return 'non-owning references after push/add (invalidate_non_owning_refs() in verifier.c)';
  if (s.releaseOnUnlock) return 'release_on_unlock after push (as in v6.2)';
  return 'the version\'s defaults';
}
