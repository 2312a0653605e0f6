import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { toSarif, type RuleMetadata } from '../../src/report/sarif.js';
import type { SeriesReview } from '../../src/model/index.js';
import { finding } from './support/finding.js';

/**
 * The official OASIS SARIF 2.1.0 schema (rtm.5), as shipped by @microsoft/jest-sarif. It is
 * draft-04; it uses no keyword whose meaning changed since (no exclusiveMinimum/Maximum), so
 * it is checked with ajv 8 as draft-07 after renaming `id` to `$id`.
 */
function sarifValidator() {
  const require = createRequire(import.meta.url);
  const path = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const schema = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const text = readFileSync(path, 'utf8');
  expect(text).not.toMatch(/exclusiveM(in|ax)imum/);
  schema.$id = schema.id;
  delete schema.id;
  schema.$schema = 'http://json-schema.org/draft-07/schema#';
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  ajv.addFormat('uri-reference', (s: string) => !/\s/.test(s));
  ajv.addFormat('date-time', (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(s));
  return ajv.compile(schema);
}

const rules: RuleMetadata[] = [
  { id: 'kf-flag-meaningless-alone', description: 'A kfunc flag that only means something with another flag is used alone. Such a flag is never a correct building block.', severity: 'warning', scope: 'patch', source: 'Documentation/bpf/kfuncs.rst' },
  { id: 'null-check-wrong-variable', description: 'A NULL check tests a different variable than the one just assigned.', severity: 'error', scope: 'patch' },
];

const review: SeriesReview = {
  seriesId: 's1@example.org',
  subject: '[PATCH bpf-next 0/2] x',
  revision: 1,
  messageId: 's1@example.org',
  findings: [
    finding({ ruleId: 'null-check-wrong-variable', severity: 'error', file: 'kernel/bpf/verifier.c', line: 6275, message: 'This should test rec.', fingerprint: 'a1' }),
    finding({ ruleId: 'kf-flag-meaningless-alone', severity: 'warning', file: 'include/linux/btf.h', line: 74, message: 'KF_X alone?', source: 'Documentation/bpf/kfuncs.rst', fingerprint: 'b2' }),
    finding({ ruleId: 'style-thing', severity: 'info', file: null, line: null, message: 'Subject is long.', fingerprint: 'c3' }),
    finding({ ruleId: 'internal-error', severity: 'error', file: null, line: null, message: 'rule x crashed: TypeError', fingerprint: 'd4' }),
  ],
  notRun: ['no kernel tree configured'],
  errors: [{ code: 'patch-does-not-apply', message: 'patch 2 does not apply', patch: 2 }],
};

describe('toSarif', () => {
  const log = toSarif([review], rules, '0.1.0', { informationUri: 'https://example.org/bpf-review', rulesBaseUri: 'https://example.org/bpf-review/rules' });

  it('is valid against the SARIF 2.1.0 schema', () => {
    const validate = sarifValidator();
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    // and the validator does reject a broken log
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
  });

  it('carries rule metadata and one result per finding with level, location and fingerprint', () => {
    const run = (log.runs as Record<string, any>[])[0]!;
    const ids = run.tool.driver.rules.map((r: { id: string }) => r.id);
    expect(ids).toEqual(['kf-flag-meaningless-alone', 'null-check-wrong-variable', 'style-thing', 'internal-error']);
    expect(run.tool.driver.rules[0].shortDescription.text).toBe('A kfunc flag that only means something with another flag is used alone.');
    expect(run.tool.driver.rules[0].defaultConfiguration.level).toBe('warning');
    expect(run.tool.driver.rules[1].helpUri).toBe('https://example.org/bpf-review/rules/null-check-wrong-variable/README.md');
    const [err, warn, info, internal] = run.results;
    expect(err).toMatchObject({ ruleId: 'null-check-wrong-variable', ruleIndex: 1, level: 'error', partialFingerprints: { 'bpfReview/v1': 'a1' } });
    expect(err.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'kernel/bpf/verifier.c' }, region: { startLine: 6275 } });
    expect(warn.message.text).toBe('KF_X alone?\n\nSee Documentation/bpf/kfuncs.rst.');
    expect(info.level).toBe('note');
    expect(info.locations).toBeUndefined();
    expect(internal).toMatchObject({ ruleId: 'internal-error', level: 'note' });
    expect(run.invocations[0].executionSuccessful).toBe(false);
    expect(run.invocations[0].toolExecutionNotifications).toHaveLength(2);
  });
});

/** The engine's real rule metadata, when rules/index.ts loads (it is written alongside this). */
const realRules: RuleMetadata[] | null = await import('../../rules/index.js')
  .then((m: { allRules?: { meta: RuleMetadata }[] }) => (m.allRules ?? []).map((r) => r.meta))
  .catch(() => null);

describe.skipIf(realRules === null || realRules.length === 0)('toSarif with the real rules', () => {
  it('describes every rule of rules/index.ts in a log valid against the schema', () => {
    const log = toSarif([review], realRules!, '0.1.0');
    const validate = sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const ids = ((log.runs as Record<string, any>[])[0]!.tool.driver.rules as { id: string }[]).map((r) => r.id);
    for (const r of realRules!) expect(ids).toContain(r.id);
  });
});
