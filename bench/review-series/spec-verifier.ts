/** Patches 4 to 6 of the series: verifier messages, a comment fix, the graph lock check. */
import { before, chain } from './edits.js';
import type { SeriesPatchSpec, SpecContext } from './series-spec.js';

export function specVerifier({ verifierHasKfuncCall, verbosesRe }: SpecContext): SeriesPatchSpec[] {
  return [
    {
      subject: 'bpf: Say "arg %d" rather than "arg#%d" in kfunc argument messages',
      body: `The verifier's kfunc argument messages mix "arg#%d" and "arg %d". Use the
form the rest of the log uses. No functional change.`,
      edits: [
        ['kernel/bpf/verifier.c', (old) => {
          let k = 0;
          const text = (old ?? '').replace(verbosesRe, (all, a: string, b: string) => (k++ < 12 ? `${a}arg %d${b}` : all));
          return k > 0 ? text : `${text}/* kfunc argument messages say "arg %d" */\n`;
        }],
      ],
    },
    {
      subject: 'bpf: Fix a comment in struct bpf_reg_state',
      body: 'The comment names the wrong field. One line, no functional change.',
      edits: [
        ['include/linux/bpf_verifier.h', before(/^\tu32 owner_ref_id;/m, '\t/* see also ref_obj_id above */\n')],
      ],
    },
    {
      subject: 'bpf: Reject KF_NODE_OWNER kfuncs outside a graph lock',
      body: `A node returned by a KF_NODE_OWNER kfunc is only safe to use while the lock
of its collection is held, or through an owner reference. Check it when the
kfunc is called, and tell the program author which lock is missing.

The check runs after the arguments have been checked, so a wrong argument is
still reported as such.`,
      edits: [
        ['kernel/bpf/verifier.c', chain(
          before(/^static int check_kfunc_call\(/m, `/* A KF_NODE_OWNER kfunc returns a node that stays in its collection: the
 * program may use it while it holds the collection's lock, or after taking an
 * owner reference with bpf_rbtree_owner_acquire().
 */
static int check_kfunc_node_owner(struct bpf_verifier_env *env,
				  struct bpf_kfunc_call_arg_meta *meta,
				  int insn_idx)
{
	struct bpf_verifier_state *state = env->cur_state;
	struct bpf_reg_state *regs = cur_regs(env);
	u32 owner_id;
	int i;

	if (!is_kfunc_node_owner(meta))
		return 0;

	if (!state->active_lock.ptr) {
		verbose(env, "%s returns a graph node and must be called with the graph lock held\\n",
			meta->func_name);
		return -EINVAL;
	}

	for (i = BPF_REG_1; i <= BPF_REG_5; i++) {
		struct bpf_reg_state *reg = &regs[i];

		if (reg->type != (PTR_TO_BTF_ID | MEM_ALLOC) && reg->type != PTR_TO_BTF_ID)
			continue;
		if (!reg->owner_ref_id)
			continue;
		if (reg->owner_ref_id == meta->ref_obj_id) {
			verbose(env, "R%d already holds the owner reference id=%d\\n",
				i, reg->owner_ref_id);
			return -EINVAL;
		}
	}

	owner_id = ++env->id_gen;
	for (i = BPF_REG_1; i <= BPF_REG_5; i++) {
		struct bpf_reg_state *reg = &regs[i];

		if (reg->ref_obj_id && reg->ref_obj_id == meta->ref_obj_id)
			reg->owner_ref_id = owner_id;
	}

	if (env->log.level & BPF_LOG_LEVEL2)
		verbose(env, "insn %d: %s: owner reference id=%d\\n",
			insn_idx, meta->func_name, owner_id);
	return 0;
}

/* An argument of a kfunc that takes a node the program holds an owner reference
 * on (bpf_rbtree_owner_release(), bpf_rbtree_owner_next()): the register must
 * carry the reference, and the node must still be the one it was taken on.
 */
static int check_node_owner_arg(struct bpf_verifier_env *env,
				struct bpf_kfunc_call_arg_meta *meta,
				struct bpf_reg_state *reg, u32 regno)
{
	if (!reg->owner_ref_id) {
		verbose(env, "R%d must hold an owner reference for %s\\n",
			regno, meta->func_name);
		return -EINVAL;
	}
	if (reg->off) {
		verbose(env, "R%d owner reference with a non-zero offset %d\\n",
			regno, reg->off);
		return -EINVAL;
	}
	if (!tnum_is_const(reg->var_off) || reg->var_off.value) {
		verbose(env, "R%d owner reference with a variable offset\\n", regno);
		return -EINVAL;
	}
	if (meta->ref_obj_id && meta->ref_obj_id != reg->ref_obj_id) {
		verbose(env, "R%d is not the node the owner reference id=%d was taken on\\n",
			regno, reg->owner_ref_id);
		return -EINVAL;
	}
	meta->ref_obj_id = reg->ref_obj_id;
	return 0;
}

/* How many owner references the current state holds; a program may hold at
 * most BPF_MAX_OWNER_REFS of them at the same time.
 */
#define BPF_MAX_OWNER_REFS 16

static int count_owner_refs(struct bpf_verifier_env *env)
{
	struct bpf_func_state *state;
	struct bpf_reg_state *reg;
	u32 seen[BPF_MAX_OWNER_REFS];
	int i, n = 0;

	bpf_for_each_reg_in_vstate(env->cur_state, state, reg, ({
		if (!reg->owner_ref_id)
			continue;
		for (i = 0; i < n; i++)
			if (seen[i] == reg->owner_ref_id)
				break;
		if (i < n)
			continue;
		if (n == BPF_MAX_OWNER_REFS) {
			verbose(env, "too many owner references, at most %d\\n",
				BPF_MAX_OWNER_REFS);
			return -E2BIG;
		}
		seen[n++] = reg->owner_ref_id;
	}));
	return n;
}

/* At program exit and at bpf_spin_unlock() every node reached without an
 * owner reference goes back to being a non-owning reference; a node held by an
 * owner reference that was never released is a leak.
 */
static int check_owner_refs_at_unlock(struct bpf_verifier_env *env, bool exiting)
{
	struct bpf_func_state *state;
	struct bpf_reg_state *reg;
	int err = 0;

	bpf_for_each_reg_in_vstate(env->cur_state, state, reg, ({
		if (!reg->owner_ref_id)
			continue;
		if (exiting) {
			verbose(env, "owner reference id=%d of a graph node is not released\\n",
				reg->owner_ref_id);
			err = -EINVAL;
			break;
		}
		if (!reg->ref_obj_id)
			clear_owner_ref(reg);
	}));
	return err;
}

`),
          verifierHasKfuncCall
            ? before(/^\tif \(is_kfunc_destructive\(&meta\)/m, `	err = check_kfunc_node_owner(env, &meta, *insn_idx_p);
	if (err)
		return err;

`, /^static int check_kfunc_call\(/m)
            : (t) => t as string,
        )],
      ],
    },
  ];
}
