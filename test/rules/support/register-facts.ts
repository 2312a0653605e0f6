/** Registers the kernel layer's facts extractors for rule tests that run in tree mode. */
import { registerKernelFacts } from '../../../src/kernel/register-facts.js';

await registerKernelFacts();
