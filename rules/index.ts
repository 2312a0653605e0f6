import type { Rule } from '../src/engine/rule-kit.js';

/**
 * The rule pack. Every folder under rules/ holds one rule (rule.ts exporting `rule`,
 * rule.test.ts, README.md, fixtures/) and is listed here exactly once; test/engine/rule-pack.test.ts
 * keeps the folders, this list, the tests and the READMEs in step.
 */
export const allRules: Rule[] = [
];
