import { describe, expect, it } from 'vitest';
import { blankRanges } from '../../src/kernel/c-text.js';
import { scanKfuncMacros } from '../../src/kernel/scan-kfunc-macros.js';

const ODD = `// SPDX-License-Identifier: GPL-2.0
/* BTF_ID_FLAGS(func, in_a_comment, KF_ACQUIRE) must not count */
#define MY_FLAGS(x) BTF_ID_FLAGS(func, x, KF_RCU)

BTF_KFUNCS_START(first_ids)
BTF_ID_FLAGS(func, plain_kfunc)
BTF_ID_FLAGS(func, multi_line,
	     KF_ACQUIRE |
	     KF_RET_NULL /* may fail */ |
	     KF_TRUSTED_ARGS)
#ifdef CONFIG_A
BTF_ID_FLAGS(func, only_a, KF_SLEEPABLE)
#if defined(CONFIG_B) && IS_ENABLED(CONFIG_C)
BTF_ID_FLAGS(func, a_and_bc, KF_RELEASE)
#else
BTF_ID_FLAGS(func, a_not_bc, KF_RELEASE)
#endif
#elif defined(CONFIG_D)
BTF_ID_FLAGS(func, only_d)
#endif
BTF_ID_FLAGS(func, zero_flags, 0)
BTF_KFUNCS_END(first_ids)

BTF_SET8_START(second_ids)
BTF_ID_FLAGS(func, plain_kfunc, KF_RCU)
BTF_SET8_END(second_ids)

static const struct btf_kfunc_id_set first_set = {
	.owner = THIS_MODULE,
	.set   = &first_ids,
	.filter = first_filter,
};

static const struct btf_kfunc_id_set second_set = {
	.owner = THIS_MODULE,
	.set = &second_ids,
};

static int __init init(void)
{
	int ret;

	ret = register_btf_kfunc_id_set(BPF_PROG_TYPE_XDP, &first_set);
	ret = ret ?: register_btf_kfunc_id_set(BPF_PROG_TYPE_SCHED_CLS,
					       &first_set);
#ifdef CONFIG_NET
	ret = ret ?: register_btf_kfunc_id_set(BPF_PROG_TYPE_TRACING, &second_set) ?: 0;
#endif
	return ret ?: register_btf_fmodret_id_set(&second_set);
}
`;

describe('scanKfuncMacros', () => {
  const scan = scanKfuncMacros(ODD);
  const byName = (n: string) => scan.entries.filter((e) => e.name === n);

  it('finds one entry per BTF_ID_FLAGS line, not the ones in comments or #defines', () => {
    expect(scan.entries.map((e) => e.name)).toEqual([
      'plain_kfunc', 'multi_line', 'only_a', 'a_and_bc', 'a_not_bc', 'only_d', 'zero_flags', 'plain_kfunc',
    ]);
  });

  it('reads flags spread over several lines with comments, and no flags or 0', () => {
    const m = byName('multi_line')[0];
    expect(m?.flags).toEqual(['KF_ACQUIRE', 'KF_RET_NULL', 'KF_TRUSTED_ARGS']);
    expect(m?.line).toBe(7);
    expect(m?.endLine).toBe(10);
    expect(byName('zero_flags')[0]?.flags).toEqual([]);
    expect(byName('plain_kfunc')[0]?.flags).toEqual([]);
  });

  it('records the set, its kind, and a kfunc that is in two sets', () => {
    const rows = byName('plain_kfunc');
    expect(rows.map((r) => [r.set, r.kfuncsSet, r.flags])).toEqual([
      ['first_ids', true, []],
      ['second_ids', false, ['KF_RCU']],
    ]);
    expect(scan.sets.map((s) => [s.name, s.kind, s.line, s.endLine])).toEqual([
      ['first_ids', 'kfuncs', 5, 22],
      ['second_ids', 'set8', 24, 26],
    ]);
  });

  it('tracks #if/#ifdef/#elif/#else/#endif nesting', () => {
    expect(byName('only_a')[0]?.conditions).toEqual(['CONFIG_A']);
    expect(byName('a_and_bc')[0]?.conditions).toEqual(['CONFIG_A', 'defined(CONFIG_B) && IS_ENABLED(CONFIG_C)']);
    expect(byName('a_not_bc')[0]?.conditions).toEqual(['CONFIG_A', '!(defined(CONFIG_B) && IS_ENABLED(CONFIG_C))']);
    expect(byName('only_d')[0]?.conditions).toEqual(['defined(CONFIG_D)']);
    expect(byName('zero_flags')[0]?.conditions).toEqual([]);
  });

  it('reads descriptors and registrations (also ?: chains, split lines and fmodret)', () => {
    expect(scan.descriptors.map((d) => [d.name, d.set, d.filter])).toEqual([
      ['first_set', 'first_ids', 'first_filter'],
      ['second_set', 'second_ids', null],
    ]);
    expect(scan.registrations.map((r) => [r.progType, r.descriptor, r.conditions])).toEqual([
      ['BPF_PROG_TYPE_XDP', 'first_set', []],
      ['BPF_PROG_TYPE_SCHED_CLS', 'first_set', []],
      ['BPF_PROG_TYPE_TRACING', 'second_set', ['CONFIG_NET']],
      ['fmodret', 'second_set', []],
    ]);
  });

  it('blanks the macros without moving offsets or lines', () => {
    const blanked = blankRanges(ODD, scan.blank);
    expect(blanked.length).toBe(ODD.length);
    expect(blanked.split('\n').length).toBe(ODD.split('\n').length);
    expect(blanked).not.toMatch(/^BTF_ID_FLAGS/m);
    expect(blanked).toContain('static const struct btf_kfunc_id_set first_set');
  });

  it('records __bpf_kfunc annotations and __bpf_kfunc_start_defs regions', () => {
    const text = `__bpf_kfunc_start_defs();\n\n__bpf_kfunc int a(void) { return 0; }\n\n__bpf_kfunc_end_defs();\n\n__bpf_kfunc int b(void) { return 1; }\n`;
    const s = scanKfuncMacros(text);
    expect(s.hasDefsMarkers).toBe(true);
    expect(s.annotations.length).toBe(2);
    expect(s.defsRegions.length).toBe(1);
    const [start, end] = s.defsRegions[0] as [number, number];
    expect(text.slice(start, end)).toContain('int a(void)');
    expect(text.slice(start, end)).not.toContain('int b(void)');
  });

  it('reads BTF_ID_LIST lists until the next non-BTF_ID macro', () => {
    const s = scanKfuncMacros(`BTF_ID_LIST(special_kfunc_list)\nBTF_ID(func, a)\nBTF_ID_UNUSED\nBTF_ID(func, b)\n\nstatic int x;\nBTF_SET_START(other)\nBTF_ID(func, c)\nBTF_SET_END(other)\nBTF_ID(func, stray)\n`);
    expect(s.idLists.map((l) => [l.name, l.kind, l.ids.map((i) => i.name)])).toEqual([
      ['special_kfunc_list', 'list', ['a', 'b']],
      ['other', 'set', ['c']],
    ]);
  });
});
