import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { patchBody } from '../../test/rules/support/make-patch.js';
import { describe, expect, it } from 'vitest';
import { seriesFromCase } from '../../src/engine/rule-tester.js';
import { runRules } from '../../src/engine/run-rules.js';
import type { PatchTreeView } from '../../src/engine/rule-kit.js';

const V = 'kernel/bpf/verifier.c';
const helper = ['+static int set_lock(struct env *env, struct reg *reg)', '+{', '+\tif (!env->lock)', '+\t\treturn -EFAULT;', '+\treg->lock = env->lock;', '+\treturn 0;', '+}', '+'];
const caller = (body: string[]) => patchBody('bpf: convert refs', [{
  file: V,
  hunks: [{ at: 50, lines: [' }', ' ', ...helper, '+static int convert(struct env *env, struct reg *reg)', '+{', ...body.map((l) => '+' + l), '+}', ' '] }],
}]);

describeRule(rule, {
  valid: [
    { name: 'result checked', patches: [caller(['\tint err;', '', '\terr = set_lock(env, reg);', '\tif (err)', '\t\treturn err;', '\treturn 0;'])] },
    { name: 'result returned', patches: [caller(['\treturn set_lock(env, reg);'])] },
    { name: 'used in a condition', patches: [caller(['\tif (set_lock(env, reg))', '\t\treturn -EINVAL;', '\treturn 0;'])] },
    { name: 'explicitly cast to void', patches: [caller(['\t(void)set_lock(env, reg);', '\treturn 0;'])] },
    { name: 'a void function', patches: [patchBody('bpf: x', [{ file: V, hunks: [{ at: 10, lines: [' ', '+static void mark(struct reg *reg)', '+{', '+\treg->x = 0;', '+}', '+static int use(struct reg *reg)', '+{', '+\tmark(reg);', '+\treturn 0;', '+}', ' '] }] }])] },
    { name: 'a function not known to return an error code', patches: [caller(['\tunknown_helper(env, reg);', '\treturn 0;'])] },
    { name: 'an argument continuation line is not a call statement', patches: [caller(['\tint err = other(env,', '\t\t\tset_lock(env, reg));', '\treturn err;'])] },
  ],
  invalid: [
    { name: 'the seed: ref_set_non_owning_lock() result dropped in a loop', patches: [caller(['\tif (reg->ref_obj_id == 1) {', '\t\treg->ref_obj_id = 0;', '\t\tset_lock(env, reg);', '\t}', '\treturn 0;'])],
      findings: [{ kind: 'ignored', message: 'set_lock() returns an error code (-EFAULT)', file: V, line: 64, severity: 'warning' }] },
    { name: 'a multi-line call as the body of an if', patches: [caller(['\tif (reg)', '\t\tset_lock(env,', '\t\t\t reg);', '\treturn 0;'])],
      findings: [{ message: 'set_lock()', line: 63 }] },
    { name: 'defined on two lines (static int / name()) in an earlier patch', patches: [
      patchBody('bpf: helper', [{ file: V, hunks: [{ at: 10, lines: [' ', '+static int', '+check_thing(struct env *env)', '+{', '+\treturn -EINVAL;', '+}', ' '] }] }]),
      patchBody('bpf: use it', [{ file: 'kernel/bpf/btf.c', hunks: [{ at: 10, lines: [' \tx = 1;', '+\tcheck_thing(env);', ' \treturn 0;'] }] }]),
    ], findings: [{ message: 'check_thing() returns an error code (-EINVAL)', patch: 2, file: 'kernel/bpf/btf.c', line: 11 }] },
  ],
});

// Tree mode: the function's definition is outside the hunks, in the patched file.
describe('ignored-error-code in tree mode (direct)', () => {
  it('knows the callee from the patched file', () => {
    const after = ['static int set_lock(struct env *env, struct reg *reg)', '{', '\tif (!env->lock)', '\t\treturn -EFAULT;', '\treturn 0;', '}', '', 'static void convert(struct env *env, struct reg *reg)', '{', '\tset_lock(env, reg);', '}', ''].join('\n');
    const body = patchBody('bpf: convert', [{ file: V, hunks: [{ at: 9, lines: [' {', '+\tset_lock(env, reg);', ' }'] }] }]);
    const series = seriesFromCase({ name: 'direct', patches: [body] });
    const view: PatchTreeView = { before: null, after: null, diff: null, readBefore: () => null, readAfter: (p) => (p === V ? after : null) };
    const tree = runRules([rule], { series, version: null, mode: 'tree', trees: [view], models: [null], diffFacts: [{}] });
    expect(tree.findings).toHaveLength(1);
    expect(tree.findings[0]).toMatchObject({ file: V, line: 10, kind: 'ignored' });
    // from the hunk alone the callee is unknown: nothing is said
    expect(runRules([rule], { series, version: null, mode: 'diff-only', trees: [null], models: [null], diffFacts: [{}] }).findings).toEqual([]);
  });
});
