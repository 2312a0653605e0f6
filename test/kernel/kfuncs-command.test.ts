import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runKfuncs, type KfuncsReport } from '../../src/app/commands/kfuncs.js';
import { EXAMPLE_SERIES, EXAMPLE_TREE } from './series-fixture.js';

const tmp = mkdtempSync(join(tmpdir(), 'bpf-review-kfuncs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(args: { tree: string; series?: string; format?: string }): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runKfuncs(args, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

describe('bpf-review kfuncs', () => {
  it('prints the JSON table: version, flags, one row per BTF_ID_FLAGS line', async () => {
    const r = await run({ tree: EXAMPLE_TREE, format: 'json' });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as KfuncsReport;
    expect(j.version).toBe('6.2');
    expect(j.flags[0]).toMatchObject({ name: 'KF_ACQUIRE', bit: 0, comment: 'kfunc is an acquire function' });
    expect(j.flags.find((f) => f.name === 'KF_ACQUIRE')?.uses).toBe(j.kfuncs.filter((k) => k.flags.includes('KF_ACQUIRE')).length);
    expect(j.flags.find((f) => f.name === 'KF_RELEASE')?.uses).toBe(3);
    const helpers = readFileSync(join(EXAMPLE_TREE, 'kernel/bpf/helpers.c'), 'utf8');
    expect(j.kfuncs.length).toBe(helpers.match(/^BTF_ID_FLAGS\(func,/gm)?.length);
    expect(j.kfuncs.find((k) => k.name === 'bpf_list_pop_front')).toMatchObject({
      file: 'kernel/bpf/helpers.c', flags: ['KF_ACQUIRE', 'KF_RET_NULL'], set: 'generic_btf_ids',
      progTypes: ['BPF_PROG_TYPE_TRACING', 'BPF_PROG_TYPE_SCHED_CLS', 'BPF_PROG_TYPE_STRUCT_OPS'],
      prototype: 'struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head)',
    });
    expect(j.series).toBeUndefined();
  });

  it('with --series shows the difference per patch and for the whole series', async () => {
    const r = await run({ tree: EXAMPLE_TREE, series: EXAMPLE_SERIES, format: 'json' });
    expect(r.code).toBe(0);
    const s = (JSON.parse(r.out) as KfuncsReport).series;
    expect(s).toMatchObject({ mode: 'tree', baseSource: 'base-commit', reason: null });
    expect(s?.patches.map((p) => [p.counter, p.applied])).toEqual([[1, true], [2, true], [3, true]]);
    expect(s?.patches[0]?.diff?.flagDefsAdded.map((f) => f.name)).toEqual(['KF_RELEASE_NON_OWN']);
    expect(s?.patches[2]?.diff?.kfuncsDocAdded?.map((x) => x.title)).toEqual(['2.4.9 KF_RELEASE_NON_OWN flag']);
    expect(s?.diff?.flagsChanged.map((c) => c.name)).toEqual(['bpf_list_push_front', 'bpf_list_push_back']);
  });

  it('falls back to diff-only mode when a patch does not apply, and says what it could not run', async () => {
    const broken = readFileSync(EXAMPLE_SERIES, 'utf8').replace(' BTF_ID_FLAGS(func, bpf_obj_drop_impl, KF_RELEASE)\n-BTF_ID_FLAGS(func, bpf_list_push_front)', ' BTF_ID_FLAGS(func, bpf_obj_drop_impl, KF_RELEASE | KF_RCU)\n-BTF_ID_FLAGS(func, bpf_list_push_front)');
    expect(broken).not.toBe(readFileSync(EXAMPLE_SERIES, 'utf8'));
    const path = join(tmp, 'broken.mbox');
    writeFileSync(path, broken);
    const r = await run({ tree: EXAMPLE_TREE, series: path });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/patch 1: .*DOES NOT APPLY: patch 1 does not apply \(kernel\/bpf\/helpers\.c, @@ -1\d\d,\d+ \+1\d\d,\d+ @@/);
    expect(r.out).toMatch(/patch 2: .*not tried/);
    expect(r.out).toMatch(/diff-only mode/);
    expect(r.out).toMatch(/\+ flag KF_RELEASE_NON_OWN = \(1 << 8\)/);
    expect(r.out).toMatch(/verifier-state-compare: /);
  });

  it('exits 2 with a message when the tree or the format is unusable', async () => {
    expect((await run({ tree: join(tmp, 'missing') })).code).toBe(2);
    const bad = await run({ tree: EXAMPLE_TREE, format: 'xml' });
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--format must be text or json/);
  });
});
