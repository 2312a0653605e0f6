/**
 * The shipped example (examples/series/kf-release-non-own.mbox against examples/tree): the
 * seed-like series must raise the flag and verifier-state points, in diff-only and tree mode.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/ingest/ingest.js';
import { reviewCase, type CasePatch } from '../../src/engine/rule-tester.js';
import type { Finding } from '../../src/model/diagnostic.js';
import { allRules } from '../../rules/index.js';
import { projectRoot } from '../support/shared-data.js';
import './support/register-facts.js';
import { readTree } from './support/read-tree.js';
import { join } from 'node:path';

const mine = allRules.filter((r) => /^(kfunc|verifier|selftest-(bisect|annotation))/.test(r.meta.id));
const one = (fs: Finding[], rule: string, file: string) => fs.filter((f) => f.ruleId === rule && f.file === file && f.patch === 1);

describe('example series kf-release-non-own', () => {
  let patches: CasePatch[] = [];
  let cover: { subject: string; body: string } | undefined;
  beforeAll(async () => {
    const res = await ingest([join(projectRoot, 'examples/series/kf-release-non-own.mbox')]);
    const s = res.series[0];
    if (!s) throw new Error('no series in the example mbox');
    patches = s.patches.map((p) => ({ subject: p.subject, body: res.messagesById.get(p.messageId)?.body ?? '' }));
    cover = s.cover ? { subject: s.cover.subject, body: s.cover.body } : undefined;
  });

  const expectPoints = (f: Finding[]) => {
    expect(f.filter((x) => x.ruleId === 'internal-error')).toEqual([]);
    expect(one(f, 'kfunc-flag-meaningless-alone', 'include/linux/btf.h')).toHaveLength(1);
    expect(one(f, 'kfunc-graph-flag', 'include/linux/btf.h')).toHaveLength(1);
    expect(one(f, 'verifier-state-not-compared', 'include/linux/bpf_verifier.h')[0]?.message).toContain('non_owning_ref_lock');
    expect(one(f, 'kfunc-flags-changed', 'kernel/bpf/helpers.c')).toHaveLength(2);
    // patch 3 documents the flag, so the series is not told to
    expect(f.filter((x) => x.ruleId === 'kfunc-flag-undocumented')).toEqual([]);
    // nothing from these rules on the selftest and docs patches
    expect(f.filter((x) => x.patch !== 1)).toEqual([]);
  };

  it('diff-only at 6.2', () => {
    expectPoints(reviewCase(mine, { name: 'example diff-only', patches, cover, version: '6.2' }).findings);
  });

  it('tree mode against examples/tree', () => {
    const review = reviewCase(mine, { name: 'example tree', patches, cover, tree: readTree('examples/tree') });
    expect(review.errors).toEqual([]);
    expectPoints(review.findings);
    expect(one(review.findings, 'verifier-state-not-compared', 'include/linux/bpf_verifier.h')[0]?.message).toContain('check_ids()');
  });
});
