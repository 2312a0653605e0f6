import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CParser } from '../kernel/c-parser.js';
import { loadModel, predictSelftests, type ModelResult } from './predict.js';
import { seriesModelFindings } from './series-findings.js';
import { parseKernelVersion } from './version-semantics.js';

const here = dirname(fileURLToPath(import.meta.url));
const HEADER = readFileSync(join(here, 'fixtures', 'graph.h'), 'utf8');
let parser: CParser;
beforeAll(async () => {
  parser = await loadModel();
});

const LEAKY = (ann: string): string => `SEC("?tc")\n${ann}\nint uses_my_get(void *ctx)\n{\n\tstruct task_struct *t = my_get();\n\tif (!t)\n\t\treturn 0;\n\treturn 0;\n}\n`;
const DECL = 'extern struct task_struct *my_get(void) __ksym;\n';

function run(flags: [string, string[]][], prog: string): ModelResult {
  return predictSelftests(parser, {
    version: parseKernelVersion('6.8.0'),
    kfuncFlags: new Map(flags),
    files: [
      { path: 'progs/graph.h', text: HEADER },
      { path: 'progs/t.c', text: `#include "graph.h"\n${DECL}${prog}` },
    ],
  });
}

describe('seriesModelFindings', () => {
  it('(a) a flag change flips a selftest whose annotation is updated only by a later patch', () => {
    const base = run([['my_get', ['KF_RET_NULL']]], LEAKY('__success'));
    const p1 = run([['my_get', ['KF_ACQUIRE', 'KF_RET_NULL']]], LEAKY('__success'));
    const p2 = run([['my_get', ['KF_ACQUIRE', 'KF_RET_NULL']]], LEAKY('__failure __msg("Unreleased reference")'));
    const f = seriesModelFindings([base, p1, p2]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ kind: 'flip-not-updated', patch: 1, program: 'uses_my_get', fixedBy: 2, before: { verdict: 'accept' }, predicted: { verdict: 'reject' } });
  });
  it('(b) a changed annotation the model disagrees with', () => {
    const base = run([['my_get', ['KF_RET_NULL']]], LEAKY('__success'));
    const p1 = run([['my_get', ['KF_RET_NULL']]], LEAKY('__failure __msg("Unreleased reference")'));
    expect(seriesModelFindings([base, p1])).toEqual([expect.objectContaining({ kind: 'annotation-disagrees', patch: 1, program: 'uses_my_get' })]);
  });
  it('(c) a new kfunc whose flags make its own selftest fail', () => {
    const base = run([['my_get', ['KF_RET_NULL']]], '');
    const p1 = run([['my_get', ['KF_ACQUIRE', 'KF_RET_NULL']]], LEAKY('__success'));
    const f = seriesModelFindings([base, p1], [['my_get']]);
    expect(f).toEqual([expect.objectContaining({ kind: 'new-kfunc-fails', patch: 1, program: 'uses_my_get', kfunc: 'my_get' })]);
  });
  it('no findings when nothing changes', () => {
    const base = run([['my_get', ['KF_RET_NULL']]], LEAKY('__success'));
    expect(seriesModelFindings([base, base])).toEqual([]);
  });
});
