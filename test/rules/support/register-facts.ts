/**
 * Registers the kernel layer's facts extractors (src/kernel/register-facts.ts) for rule tests
 * that run in tree mode. Tree cases are wrapped in treeCases() and skip when this failed.
 */
import { hasFactsExtractors } from '../../../src/engine/tree-facts-adapter.js';
import { registerKernelFacts } from '../../../src/kernel/register-facts.js';

await registerKernelFacts();

/** True when tree-mode cases can run. */
export const factsRegistered = hasFactsExtractors();
