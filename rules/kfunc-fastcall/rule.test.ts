import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { HELPERS, regDiff } from '../../test/rules/support/kfunc-patches.js';
import { patchBody } from '../../test/rules/support/make-patch.js';
import { edit, kernelTree } from '../../test/rules/support/trees.js';

const VERIFIER = 'kernel/bpf/verifier.c';
const verifierC = [
  '// SPDX-License-Identifier: GPL-2.0-only',
  'BTF_ID_LIST(special_kfunc_list)',
  'BTF_ID(func, bpf_obj_new_impl)',
  'BTF_ID(func, bpf_cast_to_kern_ctx)',
  'BTF_ID(func, bpf_rdonly_cast)',
  '',
  'static int fixup_kfunc_call(struct bpf_verifier_env *env, struct bpf_insn *insn)',
  '{',
  '\treturn 0;',
  '}',
  '',
].join('\n');
const tree = kernelTree('7.1', undefined, { [VERIFIER]: verifierC });
const fast = (name: string) => patchBody('bpf: mark fastcall', [edit(tree, HELPERS, 'BTF_ID_FLAGS(func, bpf_task_release', [`BTF_ID_FLAGS(func, ${name}, KF_FASTCALL)`])]);
const line = tree[HELPERS]!.split('\n').findIndex((l) => l.startsWith('BTF_ID_FLAGS(func, bpf_task_release')) + 2;

describeRule(rule, {
  valid: [
    { name: 'diff-only: not judged without the verifier at hand', version: '7.1', patches: [regDiff(['BTF_ID_FLAGS(func, bpf_foo, KF_FASTCALL)']).body] },
    ...([
      { name: 'bpf_cast_to_kern_ctx is rewritten by the verifier', tree, patches: [fast('bpf_cast_to_kern_ctx')] },
      { name: 'a kfunc the same series inlines in verifier.c', tree, patches: [patchBody('bpf: inline bpf_foo', [
        edit(tree, HELPERS, 'BTF_ID_FLAGS(func, bpf_task_release', ['BTF_ID_FLAGS(func, bpf_foo, KF_FASTCALL)']),
        edit(tree, VERIFIER, '\treturn 0;', ['\tif (insn->imm == BTF_ID_bpf_foo) /* inline bpf_foo */', '\t\treturn 1;'])])] },
    ]),
  ],
  invalid: [
    ...([{ name: 'a plain kfunc marked fastcall', tree, patches: [fast('bpf_foo')], findings: [{ kind: 'notInlined', file: HELPERS, line, severity: 'warning' }] }]),
  ],
});
