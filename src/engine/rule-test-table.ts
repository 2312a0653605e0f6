import { describe, expect, it } from 'vitest';
import type { Rule } from './rule-kit.js';
import { matchFindings, reviewCase, type ExpectedFinding, type RuleCase } from './rule-tester.js';

export interface InvalidCase extends RuleCase {
  findings: ExpectedFinding[];
}

/**
 * The table form every rule test uses: valid cases must raise nothing from the rule,
 * invalid cases exactly the listed findings.
 */
export function describeRule(rule: Rule, table: { valid: RuleCase[]; invalid: InvalidCase[] }): void {
  describe(`rule ${rule.meta.id}`, () => {
    for (const c of table.valid) {
      it(`valid: ${c.name}`, () => {
        const review = reviewCase([rule], c);
        expect(matchFindings(rule, review.findings, [])).toBeNull();
      });
    }
    for (const c of table.invalid) {
      it(`invalid: ${c.name}`, () => {
        const review = reviewCase([rule], c);
        expect(matchFindings(rule, review.findings, c.findings)).toBeNull();
      });
    }
  });
}
