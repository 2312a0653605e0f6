import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeShared, sharedPath } from '../../test/support/shared-data.js';
import { extractSelftests, unescapeC } from './selftests.js';

// Small files written in the shapes of tools/testing/selftests/bpf (not copied from the kernel).
const HEADER = `#ifndef FIX_H
#define FIX_H
#define private(name) SEC(".bss." #name) __hidden __attribute__((aligned(8)))
private(A) struct bpf_spin_lock lk;
#endif
`;

const PROGS = `// SPDX-License-Identifier: GPL-2.0
#include <vmlinux.h>
#include "bpf_misc.h"
#include "fix.h"

#define BODY                     \\
	int x = 0;               \\
	if (!x)                  \\
		return 0;

#define FAMILY(kind, op)                         \\
	SEC("?tc")                               \\
	int kind##_needs_lock_##op(void *ctx)    \\
	{                                        \\
		BODY;                            \\
		return 1;                        \\
	}

FAMILY(map, push)
FAMILY(kptr, pop)
#undef FAMILY

SEC("?tc")
__failure __msg("first line") __msg("second {{[0-9]+}}")
long annotated(void *ctx)
{
	return 0;
}

__success __retval(7)
SEC("tc")
int before_sec(void *ctx)
{
	return 7;
}

SEC("?fentry.s/" "sys_x")
__failure __flag(BPF_F_SLEEPABLE) __description("a \\"quoted\\" one")
int BPF_PROG(tracing_prog, struct file *file, int x)
{
	return 0;
}

#if 0
SEC("tc")
int disabled(void *ctx) { return 0; }
#endif

char _license[] SEC("license") = "GPL";
`;

const TABLE = `static struct {
	const char *prog_name;
	const char *err_msg;
} fix_fail_tests[] = {
#define TEST(kind, off) \\
	{ #kind "_needs_lock_push", \\
	  "bpf_spin_lock at off=" #off " must be held" }, \\
	{ #kind "_needs_lock_pop", \\
	  "bpf_spin_lock at off=" #off " must be held" },
	TEST(map, 0)
	TEST(kptr, 40)
#undef TEST
	{ "plain", "two\\n"
	  "lines" },
};

static int not_a_table[] = { 1, 2 };
`;

describe('extractSelftests', () => {
  const r = extractSelftests([
    { path: 'progs/fix.h', text: HEADER },
    { path: 'progs/fix.c', text: PROGS },
    { path: 'prog_tests/fix.c', text: TABLE },
  ]);

  it('finds every SEC() program, macro-generated ones included, in order', () => {
    expect(r.programs.map((p) => [p.name, p.section])).toEqual([
      ['map_needs_lock_push', '?tc'],
      ['kptr_needs_lock_pop', '?tc'],
      ['annotated', '?tc'],
      ['before_sec', 'tc'],
      ['tracing_prog', '?fentry.s/sys_x'],
    ]);
  });

  it('keeps the line of the macro invocation / SEC line', () => {
    const lines = Object.fromEntries(r.programs.map((p) => [p.name, p.line]));
    expect(lines.map_needs_lock_push).toBe(PROGS.split('\n').indexOf('FAMILY(map, push)') + 1);
    expect(lines.annotated).toBe(PROGS.split('\n').indexOf('SEC("?tc")', 20) + 1);
  });

  it('reads annotations before and after SEC, in order, with their arguments', () => {
    const a = r.programs.find((p) => p.name === 'annotated')!;
    expect(a.annotations).toEqual([
      { name: '__failure', arg: null },
      { name: '__msg', arg: 'first line' },
      { name: '__msg', arg: 'second {{[0-9]+}}' },
    ]);
    expect(a.expected).toEqual({ verdict: 'reject', messages: ['first line', 'second {{[0-9]+}}'], source: 'annotation' });
    const b = r.programs.find((p) => p.name === 'before_sec')!;
    expect(b.annotations).toEqual([
      { name: '__success', arg: null },
      { name: '__retval', arg: '7' },
    ]);
    expect(b.expected?.verdict).toBe('accept');
    const t = r.programs.find((p) => p.name === 'tracing_prog')!;
    expect(t.annotations).toEqual([
      { name: '__failure', arg: null },
      { name: '__flag', arg: 'BPF_F_SLEEPABLE' },
      { name: '__description', arg: 'a "quoted" one' },
    ]);
  });

  it('expands TEST() table families the way cpp does, with string concatenation', () => {
    expect(r.expectedFailures.map((x) => [x.table, x.program, x.message])).toEqual([
      ['fix_fail_tests', 'map_needs_lock_push', 'bpf_spin_lock at off=0 must be held'],
      ['fix_fail_tests', 'map_needs_lock_pop', 'bpf_spin_lock at off=0 must be held'],
      ['fix_fail_tests', 'kptr_needs_lock_push', 'bpf_spin_lock at off=40 must be held'],
      ['fix_fail_tests', 'kptr_needs_lock_pop', 'bpf_spin_lock at off=40 must be held'],
      ['fix_fail_tests', 'plain', 'two\nlines'],
    ]);
  });

  it('gives unannotated programs their table expectation', () => {
    const p = r.programs.find((x) => x.name === 'map_needs_lock_push')!;
    expect(p.expected).toEqual({ verdict: 'reject', messages: ['bpf_spin_lock at off=0 must be held'], source: 'table' });
    expect(r.programs.find((x) => x.name === 'kptr_needs_lock_pop')!.expected?.messages).toEqual(['bpf_spin_lock at off=40 must be held']);
    // an annotated program keeps its annotation even if a table names it
    expect(r.programs.find((x) => x.name === 'annotated')!.expected?.source).toBe('annotation');
  });

  it('decodes C escapes', () => {
    expect(unescapeC('a\\nb\\t\\"c\\"\\\\')).toBe('a\nb\t"c"\\');
  });
});

describeShared('selftest expectations data (../shared/data/selftest-expectations)', () => {
  const tables = JSON.parse(readFileSync(sharedPath('data', 'selftest-expectations', 'll_tables.json'), 'utf8')) as Record<string, [string, string][]>;
  const progs = JSON.parse(readFileSync(sharedPath('data', 'selftest-expectations', 'progs_clean.json'), 'utf8')) as Record<
    string,
    { sec: string; name: string; failure: boolean; success: boolean; msgs: string[]; retval: string[] }[]
  >;

  it('a TEST(kind, off) family table written like prog_tests/linked_list.c expands to the rows the data lists', () => {
    for (const [version, rows] of Object.entries(tables)) {
      // the four *_missing_lock_* families: read their offsets from the data, rebuild the table, compare
      const fam = rows.filter(([p]) => /_missing_lock_/.test(p));
      const offs = new Map<string, string>();
      for (const [p, m] of fam) offs.set(p.replace(/_missing_lock_.*$/, ''), /off=(\d+)/.exec(m)![1]!);
      const table = `static struct { const char *prog_name; const char *err_msg; } linked_list_fail_tests[] = {
#define TEST(test, off) \\
	{ #test "_missing_lock_push_front", "bpf_spin_lock at off=" #off " must be held for bpf_list_head" }, \\
	{ #test "_missing_lock_push_back", "bpf_spin_lock at off=" #off " must be held for bpf_list_head" }, \\
	{ #test "_missing_lock_pop_front", "bpf_spin_lock at off=" #off " must be held for bpf_list_head" }, \\
	{ #test "_missing_lock_pop_back", "bpf_spin_lock at off=" #off " must be held for bpf_list_head" },
${[...offs].map(([k, o]) => `\tTEST(${k}, ${o})`).join('\n')}
#undef TEST
};`;
      const got = extractSelftests([{ path: 'prog_tests/linked_list.c', text: table }]).expectedFailures.map((x) => [x.program, x.message]);
      expect(new Set(got.map((x) => JSON.stringify(x))), version).toEqual(new Set(fam.map((x) => JSON.stringify(x))));
    }
  });

  it('every annotated failure in the data has a message the model can match (substring or {{regex}})', () => {
    for (const [key, list] of Object.entries(progs)) {
      for (const p of list) {
        if (!p.failure) continue;
        expect(p.msgs.length, `${key}/${p.name}`).toBeGreaterThan(0);
        for (const m of p.msgs) {
          // {{...}} blocks must be balanced for messageMatches
          expect((m.match(/\{\{/g) ?? []).length, m).toBe((m.match(/\}\}/g) ?? []).length);
        }
      }
    }
  });
});
