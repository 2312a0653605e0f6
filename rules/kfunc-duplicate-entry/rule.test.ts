import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { HELPERS, regDiff } from '../../test/rules/support/kfunc-patches.js';
import { patchBody } from '../../test/rules/support/make-patch.js';
import { edit, kernelTree } from '../../test/rules/support/trees.js';

const tree = kernelTree('6.8');
const NET = 'net/foo/foo_bpf.c';
const netFile = (start: string, end: string) => ['// SPDX-License-Identifier: GPL-2.0', '#include <linux/btf_ids.h>', '', `${start}(foo_kfunc_ids)`, 'BTF_ID_FLAGS(func, bpf_foo_get, KF_ACQUIRE | KF_RET_NULL)', `${end}(foo_kfunc_ids)`, '',
  'static const struct btf_kfunc_id_set foo_kfunc_set = {', '\t.owner = THIS_MODULE,', '\t.set   = &foo_kfunc_ids,', '};', '',
  'static int __init foo_init(void)', '{', '\treturn register_btf_kfunc_id_set(BPF_PROG_TYPE_TRACING, &foo_kfunc_set);', '}', 'late_initcall(foo_init);', ''].join('\n');
const tree2 = { ...tree, [NET]: netFile('BTF_SET8_START', 'BTF_SET8_END') };
const otherSet = patchBody('net: foo: another kfunc', [edit(tree2, NET, 'BTF_ID_FLAGS(func, bpf_foo_get', ['BTF_ID_FLAGS(func, bpf_task_release)'])]);
const line = tree[HELPERS]!.split('\n').findIndex((l) => l.startsWith('BTF_ID_FLAGS(func, bpf_task_release')) + 2;
const addInTree = (l: string) => patchBody('bpf: kfunc', [edit(tree, HELPERS, 'BTF_ID_FLAGS(func, bpf_task_release', [l])]);

describeRule(rule, {
  valid: [
    { name: 'a new entry', version: '6.8', patches: [regDiff(['BTF_ID_FLAGS(func, bpf_foo, KF_RET_NULL)']).body] },
    { name: 'flags changed in place', version: '6.8', patches: [patchBody('bpf: flags', [{ file: HELPERS, hunks: [{ at: 300, lines: [' BTF_SET8_START(generic_btf_ids)', '-BTF_ID_FLAGS(func, bpf_foo)', '+BTF_ID_FLAGS(func, bpf_foo, KF_RET_NULL)', ' BTF_SET8_END(generic_btf_ids)'] }] }])] },
    ...([{ name: 'tree mode: a new kfunc', tree, patches: [addInTree('BTF_ID_FLAGS(func, bpf_foo, KF_RET_NULL)')] }]),
  ],
  invalid: [
    { name: 'twice in the hunk', version: '6.8', patches: [regDiff(['BTF_ID_FLAGS(func, bpf_foo, KF_RET_NULL)', 'BTF_ID_FLAGS(func, bpf_foo, KF_ACQUIRE)']).body],
      findings: [{ kind: 'sameSet', message: 'already listed in generic_btf_ids (line 302)', file: HELPERS, line: 303 }] },
    ...([{ name: 'tree mode: already in the set', tree, patches: [addInTree('BTF_ID_FLAGS(func, bpf_task_release, KF_RELEASE | KF_TRUSTED_ARGS)')],
      findings: [{ kind: 'sameSet', line }] },
      { name: 'tree mode: in another set of the same hook with other flags', tree: tree2, patches: [otherSet],
        findings: [{ kind: 'otherSet', message: 'with (no flags) here and with KF_RELEASE in generic_btf_ids, and both sets serve the TRACING hook', file: NET, line: 6 }] }]),
  ],
});
