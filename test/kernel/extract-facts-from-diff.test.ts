import { describe, expect, it } from 'vitest';
import { extractFactsFromDiff, TREE_ONLY_CHECKS } from '../../src/kernel/extract-facts-from-diff.js';
import { parseDiff } from '../../src/ingest/diff/parse-diff-text.js';
import type { FileDiff } from '../../src/model/diff.js';
import { EXAMPLE_SERIES, readMboxPatches } from './series-fixture.js';

function filesOf(diffText: string): FileDiff[] {
  const r = parseDiff(diffText);
  if (!r.ok) throw r.error;
  return r.value;
}

const series = readMboxPatches(EXAMPLE_SERIES);

describe('extractFactsFromDiff (diff-only mode)', () => {
  const p1 = extractFactsFromDiff(filesOf(series.patches[0]?.diffText ?? ''));

  it('finds the new KF_* define, and not the realigned ones', () => {
    expect(p1.flagDefsAdded.map((f) => [f.name, f.bit, f.file])).toEqual([['KF_RELEASE_NON_OWN', 8, 'include/linux/btf.h']]);
    expect(p1.flagDefsRemoved).toEqual([]);
    expect(p1.flagDefsRenumbered).toEqual([]);
    // the line is the new-side line of the file
    expect(p1.flagDefsAdded[0]?.line).toBe(24);
  });

  it('sees BTF_ID_FLAGS rows whose flags changed', () => {
    expect(p1.flagsChanged.map((c) => [c.name, c.before, c.after])).toEqual([
      ['bpf_list_push_front', [], ['KF_RELEASE', 'KF_RELEASE_NON_OWN']],
      ['bpf_list_push_back', [], ['KF_RELEASE', 'KF_RELEASE_NON_OWN']],
    ]);
    expect(p1.kfuncsAdded).toEqual([]);
  });

  it('sees struct members added inside hunks, by the struct the hunk is in', () => {
    expect(p1.structMembersAdded.map((m) => `${m.struct}.${m.member.name}:${m.member.type}`)).toEqual(expect.arrayContaining([
      'bpf_reg_state.non_owning_ref_lock:struct bpf_active_lock',
      'bpf_active_lock.ptr:void *',
      'bpf_active_lock.id:u32',
    ]));
    expect(p1.structMembersRemoved.map((m) => `${m.struct}.${m.member.name}`)).toContain('bpf_reference_state.release_on_unlock');
    // the anonymous active_lock struct became a named one: the member stays, its inner fields are not members
    expect(p1.structMembersRemoved.map((m) => m.member.name)).not.toContain('ptr');
  });

  it('sees enum members added, with the raw line', () => {
    expect(p1.enumMembersAdded).toEqual([
      expect.objectContaining({ enum: 'btf_field_type', name: 'BPF_GRAPH_NODE_OR_ROOT', value: 'BPF_LIST_NODE | BPF_LIST_HEAD', text: '\tBPF_GRAPH_NODE_OR_ROOT = BPF_LIST_NODE | BPF_LIST_HEAD,' }),
    ]);
  });

  it('says which checks it could not run', () => {
    expect(p1.notRun.map((c) => c.check)).toEqual(TREE_ONLY_CHECKS.map((c) => c.check));
    expect(p1.notRun.every((c) => c.reason.length > 10)).toBe(true);
  });

  it('handles multi-line flag lists added in a new set', () => {
    const diff = [
      'diff --git a/net/x.c b/net/x.c',
      'index 1111111..2222222 100644',
      '--- a/net/x.c',
      '+++ b/net/x.c',
      '@@ -10,2 +10,7 @@ static int x;',
      ' int a;',
      '+BTF_SET8_START(x_ids)',
      '+BTF_ID_FLAGS(func, bpf_x_get,',
      '+	     KF_ACQUIRE | KF_RET_NULL)',
      '+BTF_ID_FLAGS(func, bpf_x_put, KF_RELEASE)',
      '+BTF_SET8_END(x_ids)',
      ' int b;',
      '',
    ].join('\n');
    const f = extractFactsFromDiff(filesOf(diff));
    expect(f.kfuncsAdded.map((k) => [k.name, k.flags, k.set, k.line])).toEqual([
      ['bpf_x_get', ['KF_ACQUIRE', 'KF_RET_NULL'], 'x_ids', 12],
      ['bpf_x_put', ['KF_RELEASE'], 'x_ids', 14],
    ]);
  });
});
