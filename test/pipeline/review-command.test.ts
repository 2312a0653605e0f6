import { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { runReview } from '../../src/app/commands/review.js';
import { splitMbox } from '../../src/ingest/sources/split-mbox.js';
import { projectRoot } from '../support/shared-data.js';

const series = join(projectRoot, 'examples/series/kf-release-non-own.mbox');
const clean = join(projectRoot, 'examples/series/clean-fix.mbox');
const tree = join(projectRoot, 'examples/tree');

async function run(args: string[], opts: Record<string, unknown> = {}) {
  let out = '';
  let err = '';
  const code = await runReview(args, opts, { stdout: (s) => (out += s), stderr: (s) => (err += s), now: () => new Date('2026-11-25T00:00:00Z') });
  return { code, out, err };
}

const tmp = mkdtempSync(join(tmpdir(), 'bpfr-review-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('review command on the shipped example', () => {
  it('raises the seed points in tree mode and exits 1 (errors found)', async () => {
    const r = await run([series], { tree, format: 'json' });
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out);
    expect(json.series).toHaveLength(1);
    const s = json.series[0];
    expect(s.subject).toBe('[PATCH bpf-next 0/3] bpf: Non-owning references for linked-list push');
    expect(s.errors).toEqual([]);
    const by = (id: string) => s.findings.filter((f: { ruleId: string }) => f.ruleId === id);
    // the four points of the seed review
    expect(by('kfunc-flag-meaningless-alone')[0]).toMatchObject({ severity: 'warning', patch: 1, file: 'include/linux/btf.h' });
    expect(by('verifier-state-not-compared')[0]).toMatchObject({ patch: 1, file: 'include/linux/bpf_verifier.h' });
    expect(by('alignment-break').some((f: { file: string }) => f.file === 'include/linux/bpf.h')).toBe(true);
    expect(by('null-check-wrong-variable')[0]).toMatchObject({ severity: 'error', patch: 1, file: 'kernel/bpf/verifier.c' });
    for (const f of s.findings) {
      expect(f.fingerprint).toMatch(/^[0-9a-f]{16}$/);
      expect(typeof f.message).toBe('string');
      expect(f.messageId).toMatch(/@/);
    }
    // the verifier model follows the patched verifier.c to non-owning references: the selftests that
    // expect v6.2's "only read is supported" flip at patch 1 and are only updated by patch 2
    const flips = by('selftest-bisect-flip');
    expect(flips.map((f: { message: string }) => /for (\w+)/.exec(f.message)?.[1]).sort()).toEqual(['write_after_push_back', 'write_after_push_front']);
    for (const f of flips) expect(f.message).toMatch(/After patch 1\/3 .* Patch 2\/3 .* updates it/);
    expect(s.notes.join('\n')).toMatch(/from patch 1 on, the model follows .* non-owning references/);
    expect(by('selftest-annotation-disagrees')).toEqual([]);
    expect(json.accounting).toMatchObject({ read: 4, seriesMembers: 4, quarantined: 0 });
    expect(s.notes.join('\n')).toMatch(/applied on base-commit/);
  });

  it('is quiet on the clean example and exits 0', async () => {
    const r = await run([clean], { tree, format: 'json' });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).series[0].findings).toEqual([]);
  });

  it('fingerprints are stable between runs', async () => {
    const a = JSON.parse((await run([series], { tree, format: 'json' })).out);
    const b = JSON.parse((await run([series], { format: 'json' })).out);
    const fa = new Set(a.series[0].findings.map((f: { fingerprint: string }) => f.fingerprint));
    // a finding raised in both modes has the same fingerprint in both
    const common = b.series[0].findings.filter((f: { fingerprint: string }) => fa.has(f.fingerprint));
    expect(common.length).toBeGreaterThan(3);
  });

  it('without a tree, reviews diff-only and says which checks did not run', async () => {
    const r = await run([series], { format: 'json' });
    const s = JSON.parse(r.out).series[0];
    expect(s.notRun.join('\n')).toMatch(/no kernel tree given/);
    expect(s.notRun.join('\n')).toMatch(/verifier-state-compare/);
    expect(s.findings.some((f: { ruleId: string }) => f.ruleId === 'null-check-wrong-variable')).toBe(true);
  });

  it('a series that does not apply names the patch, file and hunk, and falls back to diff-only', async () => {
    const other = join(tmp, 'tree-moved');
    cpSync(tree, other, { recursive: true });
    const btf = join(other, 'include/linux/btf.h');
    writeFileSync(btf, readFileSync(btf, 'utf8').replace(/#define KF_RCU\b.*\n/, '/* KF_RCU moved */\n'));
    const r = await run([series], { tree: other, format: 'json' });
    const s = JSON.parse(r.out).series[0];
    expect(s.errors[0]).toMatchObject({ code: 'patch-does-not-apply', patch: 1 });
    expect(s.errors[0].message).toMatch(/include\/linux\/btf\.h/);
    expect(s.errors[0].message).toMatch(/@@ -\d+/);
    expect(s.notRun.join('\n')).toMatch(/diff-only/);
    expect(s.findings.some((f: { ruleId: string }) => f.ruleId === 'null-check-wrong-variable')).toBe(true);
  });

  it('configuration turns a rule off and changes a severity per path', async () => {
    const cfg = join(tmp, 'review.yml');
    writeFileSync(cfg, 'rules:\n  alignment-break: off\noverrides:\n  - files: ["kernel/bpf/**"]\n    rules:\n      null-check-wrong-variable: warning\n');
    const s = JSON.parse((await run([series], { tree, format: 'json', config: cfg })).out).series[0];
    expect(s.findings.some((f: { ruleId: string }) => f.ruleId === 'alignment-break')).toBe(false);
    expect(s.findings.find((f: { ruleId: string }) => f.ruleId === 'null-check-wrong-variable').severity).toBe('warning');
  });

  it('a bad configuration is a clear error and exit 2', async () => {
    const cfg = join(tmp, 'bad.yml');
    writeFileSync(cfg, 'rules:\n  no-such-rule: off\n');
    const r = await run([series], { config: cfg });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown rule 'no-such-rule'/);
  });

  it('an unreadable source exits 2 and says what to give', async () => {
    const r = await run([join(tmp, 'nope.mbox')], {});
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/nope\.mbox/);
  });

  it('--format email prints well-formed replies threaded under the patches', async () => {
    const r = await run([series], { tree, format: 'email' });
    const mails = [];
    for await (const m of splitMbox([Buffer.from(r.out)], 'out')) mails.push(m);
    expect(mails.length).toBeGreaterThan(0);
    const patchIds = new Set<string>();
    for await (const m of splitMbox([readFileSync(series)], 'in')) {
      const id = /^Message-ID:\s*<([^>]+)>/im.exec(m.bytes.toString())?.[1];
      if (id) patchIds.add(id);
    }
    for (const m of mails) {
      const p = await simpleParser(m.bytes);
      expect(p.subject).toMatch(/^Re: \[PATCH bpf-next [0-3]\/3\]/);
      expect(patchIds.has(String(p.inReplyTo).replace(/[<>]/g, ''))).toBe(true);
      expect(p.text).not.toMatch(/Acked-by|Reviewed-by|Tested-by/);
      for (const line of (p.text ?? '').split('\n')) if (!line.startsWith('>')) expect(line.length).toBeLessThanOrEqual(78);
    }
  });

  it('--format sarif gives SARIF 2.1.0 results with rule metadata', async () => {
    const sarif = JSON.parse((await run([series], { tree, format: 'sarif' })).out);
    expect(sarif.version).toBe('2.1.0');
    const runs = sarif.runs[0];
    expect(runs.tool.driver.rules.length).toBeGreaterThan(30);
    expect(runs.results.some((r: { ruleId: string }) => r.ruleId === 'null-check-wrong-variable')).toBe(true);
  });
});
