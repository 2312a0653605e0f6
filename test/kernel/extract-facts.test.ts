import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCParser, type CParser } from '../../src/kernel/c-parser.js';
import { extractFacts, extractFactsIncremental } from '../../src/kernel/extract-facts.js';
import { readKernelVersion } from '../../src/kernel/read-kernel-version.js';
import { fsTreeFiles, mapTreeFiles } from '../../src/kernel/tree-files.js';
import type { TreeFacts } from '../../src/model/kernel-facts.js';
import { projectRoot } from '../support/shared-data.js';

const EXAMPLE = join(projectRoot, 'examples', 'tree');
let parser: CParser;
let facts: TreeFacts;

beforeAll(async () => {
  parser = await loadCParser();
  facts = extractFacts(fsTreeFiles(EXAMPLE), parser);
});

describe('readKernelVersion', () => {
  it('reads VERSION/PATCHLEVEL/SUBLEVEL', () => {
    expect(readKernelVersion('VERSION = 7\nPATCHLEVEL = 1\nSUBLEVEL = 5\nEXTRAVERSION =\n')).toEqual({ version: 7, patchlevel: 1, sublevel: 5, short: '7.1' });
    expect(readKernelVersion('VERSION = 6\nPATCHLEVEL = 3\n')?.short).toBe('6.3');
    expect(readKernelVersion('all:\n\techo\n')).toBeNull();
  });
});

describe('extractFacts on the example tree', () => {
  it('reads the version from the Makefile', () => {
    expect(facts.version?.short).toBe('6.2');
  });

  it('reads KF_* bits 0-7 with their comments (v6.2 table of bpf-semantics §1.1)', () => {
    expect(facts.flags.map((f) => [f.name, f.bit])).toEqual([
      ['KF_ACQUIRE', 0], ['KF_RELEASE', 1], ['KF_RET_NULL', 2], ['KF_KPTR_GET', 3],
      ['KF_TRUSTED_ARGS', 4], ['KF_SLEEPABLE', 5], ['KF_DESTRUCTIVE', 6], ['KF_RCU', 7],
    ]);
    expect(facts.flags.find((f) => f.name === 'KF_RCU')?.comment).toBe('kfunc only takes rcu pointer arguments');
    expect(facts.flags.find((f) => f.name === 'KF_TRUSTED_ARGS')?.value).toBe('(1 << 4)');
  });

  it('has one kfunc row per BTF_ID_FLAGS line of the tree (compared with git grep -c)', () => {
    const out = execFileSync('grep', ['-rc', '--include=*.c', '^BTF_ID_FLAGS(func,', EXAMPLE], { encoding: 'utf8' });
    const count = out.split('\n').filter(Boolean).reduce((n, l) => n + Number(l.split(':').pop()), 0);
    expect(count).toBeGreaterThan(0);
    expect(facts.kfuncs.length).toBe(count);
  });

  it('knows each kfunc with flags, set, program types, conditions and prototype', () => {
    const get = (n: string) => facts.kfuncs.find((k) => k.name === n);
    expect(get('bpf_obj_new_impl')).toMatchObject({
      file: 'kernel/bpf/helpers.c', flags: ['KF_ACQUIRE', 'KF_RET_NULL'], set: 'generic_btf_ids', kfuncsSet: false,
      progTypes: ['BPF_PROG_TYPE_TRACING', 'BPF_PROG_TYPE_SCHED_CLS', 'BPF_PROG_TYPE_STRUCT_OPS'],
      prototype: 'void *bpf_obj_new_impl(u64 local_type_id__k, void *meta__ign)',
    });
    expect(get('bpf_list_push_front')?.flags).toEqual([]);
    expect(get('bpf_list_pop_back')?.prototype).toBe('struct bpf_list_node *bpf_list_pop_back(struct bpf_list_head *head)');
    expect(get('bpf_cgroup_acquire')).toMatchObject({ flags: ['KF_ACQUIRE', 'KF_TRUSTED_ARGS'], conditions: ['CONFIG_CGROUPS'] });
    expect(get('crash_kexec')).toMatchObject({ conditions: ['CONFIG_KEXEC_CORE'], prototype: null });
    expect(get('bpf_cast_to_kern_ctx')?.progTypes).toEqual(['BPF_PROG_TYPE_UNSPEC']);
  });

  it('reads kfunc definitions with parameter suffixes', () => {
    const d = facts.definitions.find((x) => x.name === 'bpf_obj_new_impl');
    expect(d).toMatchObject({ returnType: 'void *', returnsPointer: true, returnsStructPointer: false, isStatic: false, hasBpfKfuncAnnotation: true, insideKfuncDefs: null });
    expect(d?.params).toEqual([
      { name: 'local_type_id__k', type: 'u64', isPointer: false, suffix: '__k' },
      { name: 'meta__ign', type: 'void *', isPointer: true, suffix: '__ign' },
    ]);
    const pop = facts.definitions.find((x) => x.name === 'bpf_list_pop_front');
    expect(pop).toMatchObject({ returnType: 'struct bpf_list_node *', returnsStructPointer: true });
    expect(facts.definitions.find((x) => x.name === 'bpf_task_release')?.returnsVoid).toBe(true);
    // helpers that are not kfuncs are not definitions
    expect(facts.definitions.some((x) => x.name === 'list_insert')).toBe(false);
  });

  it("reads the verifier's special kfunc list and the list-API predicate", () => {
    expect(facts.specialKfuncs).toContain('bpf_list_push_front');
    expect(facts.specialKfuncs).toContain('bpf_obj_drop_impl');
    const pred = facts.kfuncLists?.find((l) => l.name === 'is_bpf_list_api_kfunc');
    expect(pred?.kfuncs).toEqual(['bpf_list_push_front', 'bpf_list_push_back', 'bpf_list_pop_front', 'bpf_list_pop_back']);
  });

  it('reads the verifier state structs, flattening anonymous unions', () => {
    const reg = facts.structs.find((s) => s.name === 'bpf_reg_state');
    const names = reg?.members.map((m) => m.name) ?? [];
    expect(names).toEqual(expect.arrayContaining(['type', 'off', 'btf', 'btf_id', 'id', 'ref_obj_id', 'frameno']));
    expect(reg?.members.find((m) => m.name === 'btf')?.type).toBe('struct btf *');
    expect(facts.structs.find((s) => s.name === 'bpf_reference_state')?.members.map((m) => m.name)).toEqual(['id', 'insn_idx', 'callback_ref', 'release_on_unlock']);
    const vs = facts.structs.find((s) => s.name === 'bpf_verifier_state');
    expect(vs?.members.find((m) => m.name === 'active_lock')?.type).toBe('struct {...}');
    expect(facts.structs.find((s) => s.name === 'bpf_func_state')?.members.find((m) => m.name === 'regs')?.type).toBe('struct bpf_reg_state [MAX_BPF_REG]');
  });

  it('knows which members regsafe/states_equal read and pass to check_ids', () => {
    const regsafe = facts.verifierFunctions.find((f) => f.name === 'regsafe');
    expect(regsafe?.idsChecked).toEqual(['id', 'ref_obj_id']);
    expect(regsafe?.offsetofMembers).toEqual(['id']);
    expect(regsafe?.calls).toContain('check_ids');
    expect(regsafe?.membersRead).not.toContain('non_owning_ref_lock');
    const se = facts.verifierFunctions.find((f) => f.name === 'states_equal');
    expect(se?.membersRead).toEqual(expect.arrayContaining(['active_lock', 'active_rcu_lock', 'curframe']));
    expect(se?.calls).toContain('func_states_equal');
  });

  it('reads enums with the raw line (alignment checks need it)', () => {
    const e = facts.enums.find((x) => x.name === 'btf_field_type');
    expect(e?.members.map((m) => m.name)).toEqual(['BPF_SPIN_LOCK', 'BPF_TIMER', 'BPF_KPTR_UNREF', 'BPF_KPTR_REF', 'BPF_KPTR', 'BPF_LIST_HEAD', 'BPF_LIST_NODE']);
    const node = e?.members.find((m) => m.name === 'BPF_LIST_NODE');
    expect(node?.value).toBe('(1 << 5)');
    expect(node?.text).toBe('\tBPF_LIST_NODE  = (1 << 5),');
    const text = readFileSync(join(EXAMPLE, 'include/linux/bpf.h'), 'utf8').split('\n');
    expect(text[(node?.line ?? 0) - 1]).toBe(node?.text);
  });

  it('reads kfuncs.rst sections and the flags each names', () => {
    const rel = facts.kfuncsDoc.find((s) => s.title === '2.4.3 KF_RELEASE flag');
    expect(rel?.flagsMentioned).toEqual(['KF_RELEASE']);
    expect(facts.kfuncsDoc.find((s) => s.title === '2.4.1 KF_ACQUIRE flag')?.flagsMentioned).toEqual(['KF_ACQUIRE', 'KF_RET_NULL']);
    expect(facts.kfuncsDoc.some((s) => /KF_RELEASE_NON_OWN/.test(s.title))).toBe(false);
  });

  it('extracts the selftest programs and the prog_tests table', () => {
    expect(facts.selftests.map((p) => p.name)).toEqual(expect.arrayContaining(['push_pop', 'write_after_push_front', 'double_push_front']));
    expect(facts.expectedFailures.map((r) => r.program)).toEqual(['write_after_push_front', 'write_after_push_back', 'use_after_unlock_push_front', 'double_push_front']);
    expect(facts.selftests.find((p) => p.name === 'write_after_push_back')?.expected).toMatchObject({ verdict: 'reject', messages: ['only read is supported'] });
  });
});

const FIXTURE: Record<string, string> = {
  'kernel/foo/kfuncs.c': `// fixture
__bpf_kfunc_start_defs();

__bpf_kfunc struct foo *
bpf_foo_acquire(struct foo *f,
		u32 flags__k)
{
	return f;
}

__bpf_kfunc static int bpf_foo_static(void *buf, u32 buf__sz, const char *name__str, void *opt__nullable)
{
	return 0;
}

__bpf_kfunc_end_defs();

int bpf_foo_plain(struct foo *f)
{
	return 0;
}

BTF_KFUNCS_START(foo_ids)
BTF_ID_FLAGS(func, bpf_foo_acquire, KF_ACQUIRE
	     | KF_RET_NULL)
#ifdef CONFIG_FOO_STATIC
BTF_ID_FLAGS(func, bpf_foo_static)
#endif
BTF_ID_FLAGS(func, bpf_foo_plain, KF_TRUSTED_ARGS)
BTF_KFUNCS_END(foo_ids)

static const struct btf_kfunc_id_set foo_set = { .owner = THIS_MODULE, .set = &foo_ids };

static int __init foo_init(void)
{
	return register_btf_kfunc_id_set(BPF_PROG_TYPE_SYSCALL, &foo_set);
}
`,
  'kernel/foo/register.c': `static int __init bar_init(void)
{
	return register_btf_kfunc_id_set(BPF_PROG_TYPE_LSM, &foo_set);
}
`,
  'include/linux/btf.h': `#define KF_ACQUIRE (1 << 0) /* acquire */\n/* a comment above */\n#define KF_RET_NULL BIT(2)\n#define KF_ODD (KF_ACQUIRE | 8)\n`,
};

describe('extractFacts on odd forms', () => {
  it('reads definitions on several lines, static ones, __bpf_kfunc_start_defs regions and plain registered functions', () => {
    const f = extractFacts(mapTreeFiles(FIXTURE), parser);
    const acq = f.definitions.find((d) => d.name === 'bpf_foo_acquire');
    expect(acq).toMatchObject({ line: 5, returnType: 'struct foo *', isStatic: false, insideKfuncDefs: true, hasBpfKfuncAnnotation: true });
    expect(acq?.prototype).toBe('struct foo *bpf_foo_acquire(struct foo *f, u32 flags__k)');
    const st = f.definitions.find((d) => d.name === 'bpf_foo_static');
    expect(st?.isStatic).toBe(true);
    expect(st?.params.map((p) => p.suffix)).toEqual([null, '__sz', '__str', '__nullable']);
    const plain = f.definitions.find((d) => d.name === 'bpf_foo_plain');
    expect(plain).toMatchObject({ hasBpfKfuncAnnotation: false, insideKfuncDefs: false });
    expect(f.kfuncs.map((k) => [k.name, k.flags, k.kfuncsSet, k.conditions])).toEqual([
      ['bpf_foo_acquire', ['KF_ACQUIRE', 'KF_RET_NULL'], true, []],
      ['bpf_foo_static', [], true, ['CONFIG_FOO_STATIC']],
      ['bpf_foo_plain', ['KF_TRUSTED_ARGS'], true, []],
    ]);
    // registrations in another file reach the set through the descriptor name
    expect(f.kfuncs[0]?.progTypes).toEqual(['BPF_PROG_TYPE_SYSCALL', 'BPF_PROG_TYPE_LSM']);
    expect(f.flags.map((x) => [x.name, x.bit, x.comment])).toEqual([
      ['KF_ACQUIRE', 0, 'acquire'], ['KF_RET_NULL', 2, 'a comment above'], ['KF_ODD', null, ''],
    ]);
  });

  it('expands X-macro rows (a #define M(...) BTF_ID_FLAGS(...) template and a list defined in a header)', () => {
    const files = {
      'include/net/meta.h': '#define META_KFUNC_xxx \\\n\tMETA_KFUNC(META_A, bpf_meta_a) \\\n\tMETA_KFUNC(META_B, bpf_meta_b)\n',
      'net/core/meta.c': [
        '__bpf_kfunc int bpf_meta_a(struct xdp_md *ctx)', '{', '\treturn 0;', '}', '',
        'BTF_SET8_START(meta_ids)',
        '#define META_KFUNC(_, name) BTF_ID_FLAGS(func, name, KF_TRUSTED_ARGS)',
        'META_KFUNC_xxx',
        '#undef META_KFUNC',
        'BTF_ID_FLAGS(func, bpf_meta_c)',
        'BTF_SET8_END(meta_ids)', '',
        'static const struct btf_kfunc_id_set meta_set = { .set = &meta_ids };', '',
        'static int __init meta_init(void)', '{', '\treturn register_btf_kfunc_id_set(BPF_PROG_TYPE_XDP, &meta_set);', '}', '',
      ].join('\n'),
    };
    const f = extractFacts(mapTreeFiles(files), parser);
    expect(f.kfuncs.map((k) => [k.name, k.line, k.flags, k.viaMacro ?? null, k.progTypes])).toEqual([
      ['bpf_meta_a', 8, ['KF_TRUSTED_ARGS'], 'META_KFUNC_xxx', ['BPF_PROG_TYPE_XDP']],
      ['bpf_meta_b', 8, ['KF_TRUSTED_ARGS'], 'META_KFUNC_xxx', ['BPF_PROG_TYPE_XDP']],
      ['bpf_meta_c', 10, [], null, ['BPF_PROG_TYPE_XDP']],
    ]);
    expect(f.kfuncs[0]?.prototype).toBe('int bpf_meta_a(struct xdp_md *ctx)');
  });

  it('incremental extraction of changed files equals a full extraction', () => {
    const before = extractFacts(fsTreeFiles(EXAMPLE), parser);
    const helpers = readFileSync(join(EXAMPLE, 'kernel/bpf/helpers.c'), 'utf8')
      .replace('BTF_ID_FLAGS(func, bpf_list_push_front)', 'BTF_ID_FLAGS(func, bpf_list_push_front, KF_RELEASE)')
      .replace('BTF_ID_FLAGS(func, bpf_rdonly_cast)\n', 'BTF_ID_FLAGS(func, bpf_rdonly_cast)\nBTF_ID_FLAGS(func, bpf_task_acquire, KF_RCU)\n');
    const changed = new Map<string, string | null>([['kernel/bpf/helpers.c', helpers], ['kernel/bpf/btf.c', null]]);
    const base = fsTreeFiles(EXAMPLE);
    const full = extractFacts({ list: () => base.list().filter((p) => p !== 'kernel/bpf/btf.c'), read: (p) => (changed.has(p) ? (changed.get(p) ?? null) : base.read(p)) }, parser);
    const inc = extractFactsIncremental(before, changed, parser, { context: base });
    expect(inc).toEqual(full);
    expect(inc.kfuncs.find((k) => k.name === 'bpf_list_push_front')?.flags).toEqual(['KF_RELEASE']);
    expect(inc.kfuncs.filter((k) => k.name === 'bpf_task_acquire').map((k) => k.set)).toEqual(['generic_btf_ids', 'common_btf_ids']);
  });

  it('incremental extraction follows a changed prog_tests table to the programs it names', () => {
    const base = fsTreeFiles(EXAMPLE);
    const before = extractFacts(base, parser);
    const table = (base.read('tools/testing/selftests/bpf/prog_tests/linked_list.c') ?? '').replace('{ "write_after_push_back", "only read is supported" },\n', '');
    const changed = new Map<string, string | null>([['tools/testing/selftests/bpf/prog_tests/linked_list.c', table]]);
    const full = extractFacts({ list: () => base.list(), read: (p) => (changed.has(p) ? (changed.get(p) ?? null) : base.read(p)) }, parser);
    const inc = extractFactsIncremental(before, changed, parser, { context: base });
    expect(inc.selftests).toEqual(full.selftests);
    expect(inc.expectedFailures).toEqual(full.expectedFailures);
    expect(inc.selftests.find((p) => p.name === 'write_after_push_back')?.expected).toBeNull();
  });
});
