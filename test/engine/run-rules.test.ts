import { describe, expect, it } from 'vitest';
import { definePatchRule, defineSeriesRule } from '../../src/engine/rule-kit.js';
import { reviewCase } from '../../src/engine/rule-tester.js';
import { validateReviewConfig } from '../../src/engine/review-config.js';
import { ConfigError } from '../../src/model/errors.js';

const patch = `bpf: add x

Signed-off-by: Pat Author <pat@example.org>
---
 kernel/bpf/x.c | 3 ++-
 1 file changed, 2 insertions(+), 1 deletion(-)

diff --git a/kernel/bpf/x.c b/kernel/bpf/x.c
index 1111111..2222222 100644
--- a/kernel/bpf/x.c
+++ b/kernel/bpf/x.c
@@ -1,3 +1,4 @@
 int a;
-int b;
+int b2;
+int c;
 int d;
-- 
2.39.0
`;

const everyLine = definePatchRule({
  id: 'every-line', description: 'reports every line it is told to', severity: 'warning', needs: [], source: 'test',
  messages: { here: 'line {{n}}' },
}, (ctx) => {
  for (const n of [1, 2, 3, 4]) ctx.report({ messageId: 'here', data: { n }, file: 'kernel/bpf/x.c', line: n });
  ctx.report({ messageId: 'here', data: { n: 'mail' } });
});
const crashing = definePatchRule({ id: 'crashing', description: 'always throws', severity: 'error', needs: [], source: 'test', messages: { x: 'x' } }, () => {
  throw new Error('boom');
});
const needsTree = defineSeriesRule({ id: 'needs-tree', description: 'needs a tree', severity: 'error', needs: ['tree'], source: 'test', messages: { x: 'x' } }, (ctx) => {
  ctx.report({ messageId: 'x' });
});

describe('runRules', () => {
  const review = reviewCase([everyLine, crashing, needsTree], { name: 'engine', patches: [patch] });

  it('keeps findings to the lines the patch adds, and mail-level findings', () => {
    const mine = review.findings.filter((f) => f.ruleId === 'every-line');
    expect(mine.map((f) => f.line)).toEqual([null, 2, 3]);
    expect(mine.every((f) => f.patch === 1 && f.messageId === 'case-1@test.invalid')).toBe(true);
  });

  it('turns a crashing rule into an internal finding and runs the others', () => {
    const internal = review.findings.filter((f) => f.ruleId === 'internal-error');
    expect(internal).toHaveLength(1);
    expect(internal[0]!.message).toMatch(/rule crashing crashed: boom/);
    expect(review.findings.some((f) => f.ruleId === 'every-line')).toBe(true);
  });

  it('says which rules could not run and why', () => {
    expect(review.notRun).toContain('needs-tree: needs a kernel tree the series applies to');
    expect(review.findings.some((f) => f.ruleId === 'needs-tree')).toBe(false);
  });

  it('gives stable, distinct fingerprints', () => {
    const again = reviewCase([everyLine], { name: 'engine', patches: [patch] });
    const a = review.findings.filter((f) => f.ruleId === 'every-line').map((f) => f.fingerprint);
    const b = again.findings.map((f) => f.fingerprint);
    expect(b).toEqual(a);
    expect(new Set(a).size).toBe(a.length);
  });
});

describe('review configuration', () => {
  const ids = new Set(['every-line']);
  it('accepts rules and path overrides', () => {
    expect(validateReviewConfig({ rules: { 'every-line': 'off' }, overrides: [{ files: ['kernel/**'], rules: { 'every-line': 'error' } }] }, ids)).toEqual({
      rules: { 'every-line': 'off' }, overrides: [{ files: ['kernel/**'], rules: { 'every-line': 'error' } }],
    });
  });
  it.each([
    [{ rule: {} }, /unknown key 'rule'/],
    [{ rules: { nope: 'off' } }, /unknown rule 'nope'/],
    [{ rules: { 'every-line': 'loud' } }, /'loud' is not one of/],
    [{ overrides: [{ files: 'kernel', rules: {} }] }, /files: expected a list/],
  ])('rejects %j', (raw, msg) => {
    expect(() => validateReviewConfig(raw, ids)).toThrow(ConfigError);
    expect(() => validateReviewConfig(raw, ids)).toThrow(msg);
  });
});
