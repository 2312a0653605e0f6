import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { HELPERS, kfuncDiff, regDiff } from '../../test/rules/support/kfunc-patches.js';
import { patchBody } from '../../test/rules/support/make-patch.js';
import { addedLineNo, edits, kernelTree } from '../../test/rules/support/trees.js';

const t68 = kernelTree('6.8');
const REG = 'BTF_ID_FLAGS(func, bpf_task_release';
const stat = kfuncDiff([{ sig: 'struct foo *bpf_foo_get(struct foo *f)', flags: 'KF_ACQUIRE | KF_RET_NULL', static: true }]);
const bare = kfuncDiff([{ sig: 'struct foo *bpf_foo_get(struct foo *f)', flags: 'KF_ACQUIRE | KF_RET_NULL', annotate: false }]);
const defOnly = patchBody('bpf: add bpf_foo_get', [{ file: HELPERS, hunks: [{ at: 100, lines: [' }', ' ', '+__bpf_kfunc struct foo *bpf_foo_get(struct foo *f)', '+{', '+\treturn f;', '+}', '+', ' static int helper_after(void)'] }] }]);
const inside = edits(t68, HELPERS, [
  { anchor: '__bpf_kfunc_start_defs();', add: ['__bpf_kfunc struct foo *bpf_in(struct foo *f)', '{', '\treturn f;', '}', ''] },
  { anchor: REG, add: ['BTF_ID_FLAGS(func, bpf_in, KF_RET_NULL)'] },
]);
const outside = edits(t68, HELPERS, [
  { anchor: '__bpf_kfunc_end_defs();', add: ['__bpf_kfunc struct foo *bpf_out(struct foo *f)', '{', '\treturn f;', '}', ''] },
  { anchor: REG, add: ['BTF_ID_FLAGS(func, bpf_out, KF_RET_NULL)'] },
]);
const nowhere = edits(t68, HELPERS, [{ anchor: REG, add: ['BTF_ID_FLAGS(func, bpf_nowhere, KF_RET_NULL)'] }]);

describeRule(rule, {
  valid: [
    { name: 'definition and registration together', version: '6.8', patches: [kfuncDiff([{ sig: 'struct foo *bpf_foo_get(struct foo *f)', flags: 'KF_ACQUIRE | KF_RET_NULL' }]).body] },
    { name: 'v6.2 kfuncs have no __bpf_kfunc', version: '6.2', patches: [kfuncDiff([{ sig: 'struct foo *bpf_foo_get(struct foo *f)', flags: 'KF_ACQUIRE', annotate: false }]).body] },
    { name: 'diff-only: a registration alone is not judged', version: '6.8', patches: [regDiff(['BTF_ID_FLAGS(func, bpf_foo)']).body] },
    { name: 'annotated on an earlier declaration (bpf_testmod.c style)', version: '7.1', patches: [kfuncDiff([{ sig: 'int bpf_foo(int a)', flags: 'KF_RET_NULL', annotate: false }]).body.replace(' }\n \n+int bpf_foo', ' __bpf_kfunc int bpf_foo(int a);\n \n+int bpf_foo')] },
    { name: 'registered in a later patch of the series', version: '6.8', patches: [defOnly, regDiff(['BTF_ID_FLAGS(func, bpf_foo_get, KF_RET_NULL)']).body] },
    ...([{ name: 'tree mode: inside the defs block, registered', tree: t68, patches: [patchBody('bpf: bpf_in', [inside])] }]),
  ],
  invalid: [
    { name: 'a static kfunc', version: '6.8', patches: [stat.body], findings: [{ kind: 'isStatic', file: HELPERS, line: stat.def[0], severity: 'error' }] },
    { name: 'a registered definition without __bpf_kfunc (6.8)', version: '6.8', patches: [bare.body], findings: [{ kind: 'noAnnotation', line: bare.def[0] }] },
    { name: 'a __bpf_kfunc nobody registers', version: '6.8', patches: [defOnly], findings: [{ kind: 'notRegistered', file: HELPERS, line: 102 }] },
    ...([
      { name: 'tree mode: registration without definition', tree: t68, patches: [patchBody('bpf: nowhere', [nowhere])], findings: [{ kind: 'noDefinition', line: addedLineNo(nowhere, 0) }] },
      { name: 'tree mode: defined after __bpf_kfunc_end_defs()', tree: t68, patches: [patchBody('bpf: bpf_out', [outside])], findings: [{ kind: 'outsideDefs', line: addedLineNo(outside, 0), severity: 'info' }] },
    ]),
  ],
});
