import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runModel } from './model.js';

const here = dirname(fileURLToPath(import.meta.url));
const HEADER = readFileSync(join(here, '..', '..', 'model-bpf', 'fixtures', 'graph.h'), 'utf8');

// A tiny kernel-tree-shaped directory: Makefile, kernel/bpf/helpers.c flags, two selftest programs.
const dir = mkdtempSync(join(tmpdir(), 'bpf-review-model-'));
const st = join(dir, 'tools/testing/selftests/bpf');
mkdirSync(join(st, 'progs'), { recursive: true });
mkdirSync(join(st, 'prog_tests'), { recursive: true });
mkdirSync(join(dir, 'kernel/bpf'), { recursive: true });
writeFileSync(join(dir, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 3\nSUBLEVEL = 8\n');
writeFileSync(join(dir, 'kernel/bpf/helpers.c'), 'BTF_ID_FLAGS(func, bpf_obj_new_impl, KF_ACQUIRE | KF_RET_NULL)\nBTF_ID_FLAGS(func, bpf_obj_drop_impl, KF_RELEASE)\n');
writeFileSync(join(st, 'progs/graph.h'), HEADER);
writeFileSync(
  join(st, 'progs/linked_list_fix.c'),
  `#include "graph.h"
SEC("?tc")
int leaks(void *ctx)
{
	struct box *b = bpf_obj_new(typeof(*b));
	if (!b)
		return 0;
	return 0;
}

SEC("tc")
int fine(void *ctx)
{
	struct box *b = bpf_obj_new(typeof(*b));
	if (!b)
		return 0;
	bpf_obj_drop(b);
	return 0;
}
`,
);
writeFileSync(join(st, 'prog_tests/linked_list.c'), 'static struct { const char *a; const char *b; } t[] = {\n\t{ "leaks", "Unreleased reference id=" },\n};\n');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(): { out: string[]; err: string[]; io: { stdout: (s: string) => void; stderr: (s: string) => void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (s) => out.push(s), stderr: (s) => err.push(s) } };
}

describe('bpf-review model', () => {
  it('json: per program expected/predicted/agree and totals', async () => {
    const c = capture();
    const code = await runModel({ tree: dir, format: 'json' }, c.io);
    expect(code).toBe(0);
    const j = JSON.parse(c.out.join('')) as { version: string; programs: { name: string; file: string; expected: { verdict: string }; predicted: { verdict: string; message: string }; agree: boolean }[]; totals: { programs: number; verdictAgree: number } };
    expect(j.version).toBe('6.3');
    expect(j.programs.map((p) => [p.name, p.file, p.expected.verdict, p.predicted.verdict, p.agree])).toEqual([
      ['leaks', 'tools/testing/selftests/bpf/progs/linked_list_fix.c', 'reject', 'reject', true],
      ['fine', 'tools/testing/selftests/bpf/progs/linked_list_fix.c', 'accept', 'accept', true],
    ]);
    expect(j.totals).toMatchObject({ programs: 2, verdictAgree: 2 });
  });

  it('--explain shows the path and the failing step; a wrong --version changes nothing here but is honoured', async () => {
    const c = capture();
    const code = await runModel({ tree: dir, explain: 'leaks', version: '6.8.0' }, c.io);
    expect(code).toBe(0);
    const text = c.out.join('');
    expect(text).toMatch(/bpf_obj_new -> OWN\?\(box/);
    expect(text).toMatch(/error: Unreleased reference id=2/);
    expect(text).toMatch(/v6\.8: 1 programs/);
  });

  it('exit 2 for a directory without selftests', async () => {
    const c = capture();
    expect(await runModel({ tree: join(dir, 'kernel') }, c.io)).toBe(2);
    expect(c.err.join('')).toMatch(/no bpf selftests/);
  });
});
