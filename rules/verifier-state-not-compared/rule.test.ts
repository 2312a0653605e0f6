import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { patchBody } from '../../test/rules/support/make-patch.js';
import '../../test/rules/support/register-facts.js';
import { addedLineNo, edit, edits, seedLikeTree } from '../../test/rules/support/trees.js';

const H = 'include/linux/bpf_verifier.h';
const V = 'kernel/bpf/verifier.c';
const tree = seedLikeTree();
const regMember = edit(tree, H, '\tu32 ref_obj_id;', ['\t/* non-owning reference: id of the lock that protects it */', '\tu32 non_own_ref_obj_id;']);
const regsafeFix = edit(tree, V, '\t\tif (rold->id && !check_ids(rold->id, rcur->id, idmap))', ['\t\t\treturn false;', '\t\tif (!check_ids(rold->non_own_ref_obj_id, rcur->non_own_ref_obj_id, idmap))'], 0);
const stateMember = edit(tree, H, '\tbool active_rcu_lock;', ['\tu32 lock_depth;']);
const stateId = edit(tree, H, '\tbool active_rcu_lock;', ['\tu32 active_irq_id;']);
const statesEqualReads = edits(tree, V, [{ anchor: '\tif (old->active_rcu_lock != cur->active_rcu_lock)', add: ['\t\treturn false;', '\tif (old->lock_depth != cur->lock_depth)'] }]);
const refMember = edit(tree, H, '\tint insn_idx;', ['\t/* the kfunc that acquired it */', '\tu32 acquired_by;']);

// diff-only: a hunk whose header names the struct
const diffOnly = (member: string) => patchBody('bpf: new member', [{ file: H, hunks: [{ at: 70, section: 'struct bpf_reg_state {', lines: ['\t\t\tstruct btf *btf;', '\t\t\tu32 btf_id;', `+\t\t\t${member}`, '\t\t};'].map((l) => (l.startsWith('+') ? l : ' ' + l)) }] }]);

describeRule(rule, {
  valid: [
    { name: 'diff-only: a non-id member is not judged without the tree', patches: [diffOnly('bool graph_node;')] },
    { name: 'diff-only: the series compares the new id in regsafe()', patches: [diffOnly('u32 non_own_ref_obj_id;'), patchBody('bpf: compare it', [{ file: V, hunks: [{ at: 900, section: 'static bool regsafe(struct bpf_verifier_env *env, struct bpf_reg_state *rold,', lines: [' \tcase PTR_TO_BTF_ID:', '+\t\tif (!check_ids(rold->non_own_ref_obj_id, rcur->non_own_ref_obj_id, idmap))', '+\t\t\treturn false;', ' \t\treturn equal;'] }] }])] },
    ...([
      { name: 'tree: the new id goes through check_ids() in regsafe()', tree, patches: [patchBody('bpf: non-owning id', [regMember, regsafeFix])] },
      { name: 'tree: states_equal() reads the new member', tree, patches: [patchBody('bpf: lock depth', [stateMember, statesEqualReads])] },
      { name: 'tree: bpf_reference_state is compared whole by refsafe()', tree, patches: [patchBody('bpf: acquired_by', [refMember])] },
    ]),
  ],
  invalid: [
    { name: 'diff-only: an id in bpf_reg_state, regsafe() untouched', patches: [diffOnly('u32 non_own_ref_obj_id;')],
      findings: [{ kind: 'idNotMappedDiffOnly', file: H, line: 72, severity: 'warning' }] },
    { name: 'diff-only: a struct carrying an id (the seed shape)', patches: [patchBody('bpf: lock', [{ file: H, hunks: [
      { at: 43, lines: [' };', ' ', '+struct bpf_active_lock {', '+\tvoid *ptr;', '+\tu32 id;', '+};', '+', ' struct bpf_reg_state {'] },
      { at: 68, section: 'struct bpf_reg_state {', lines: [' \t\tstruct {', ' \t\t\tu32 btf_id;', '+\t\t\tstruct bpf_active_lock non_owning_ref_lock;', ' \t\t};'] }] }])],
      findings: [{ kind: 'idNotMappedDiffOnly', message: 'non_owning_ref_lock', line: 75 }] },
    ...([
      { name: 'tree: an id before parent is only memcmp()ed', tree, patches: [patchBody('bpf: non-owning id', [regMember])],
        findings: [{ kind: 'idNotMapped', message: 'regsafe() only compares it byte for byte', file: H, line: addedLineNo(regMember, 1), severity: 'warning' }] },
      { name: 'tree: a verifier-state member nobody compares', tree, patches: [patchBody('bpf: lock depth', [stateMember])],
        findings: [{ kind: 'notCompared', message: 'lock_depth is a new member of struct bpf_verifier_state', line: addedLineNo(stateMember, 0) }] },
      { name: 'tree: a verifier-state id nobody compares', tree, patches: [patchBody('bpf: irq id', [stateId])],
        findings: [{ kind: 'idNotMapped', message: 'neither regsafe() nor states_equal() looks at it', severity: 'error' }] },
    ]),
  ],
});
