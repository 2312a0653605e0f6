import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allRules } from '../../rules/index.js';
import { projectRoot } from '../support/shared-data.js';

const rulesDir = join(projectRoot, 'rules');
const folders = readdirSync(rulesDir).filter((f) => statSync(join(rulesDir, f)).isDirectory());

describe('the rule pack stays in step', () => {
  it('has rules', () => {
    expect(folders.length).toBeGreaterThan(0);
  });

  it('registers every folder exactly once, and nothing else', () => {
    const ids = allRules.map((r) => r.meta.id).sort();
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...folders].sort());
  });

  for (const folder of folders) {
    describe(folder, () => {
      const dir = join(rulesDir, folder);
      it('has rule.ts, rule.test.ts and README.md', () => {
        for (const f of ['rule.ts', 'rule.test.ts', 'README.md']) expect(existsSync(join(dir, f)), `${folder}/${f}`).toBe(true);
      });
      it('README names the rule and says what, why, the source and an example', () => {
        const readme = readFileSync(join(dir, 'README.md'), 'utf8');
        expect(readme).toContain(folder);
        for (const heading of ['## What', '## Why', '## Source', '## Example']) expect(readme, `${folder}/README.md ${heading}`).toContain(heading);
      });
      it('meta is complete and every message is used by the code', () => {
        const rule = allRules.find((r) => r.meta.id === folder);
        expect(rule).toBeDefined();
        const meta = rule!.meta;
        expect(meta.description.length).toBeGreaterThan(10);
        expect(meta.source.length).toBeGreaterThan(5);
        expect(Object.keys(meta.messages).length).toBeGreaterThan(0);
        const code = readFileSync(join(dir, 'rule.ts'), 'utf8');
        for (const key of Object.keys(meta.messages)) expect(code, `${folder}: message '${key}' is never reported`).toMatch(new RegExp(`messageId: ['"]${key}['"]|['"]${key}['"]`));
      });
      it('tests have valid and invalid cases', () => {
        const test = readFileSync(join(dir, 'rule.test.ts'), 'utf8');
        expect(test).toMatch(/valid:\s*\[/);
        expect(test).toMatch(/invalid:\s*\[/);
      });
    });
  }
});
