// SPDX-License-Identifier: GPL-2.0-only
/*
 * Example tree: a small verifier.c with the shapes bpf-review reads: the special kfunc
 * list, the list-API predicate, spin lock release-on-unlock, kfunc release handling and the
 * state comparison functions (regsafe, refsafe, func_states_equal, states_equal).
 */
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/bpf_verifier.h>

__printf(2, 3) static void verbose(void *private_data, const char *fmt, ...)
{
	struct bpf_verifier_env *env = private_data;

	if (!env->log_level)
		return;
	example_log(env, fmt);
}

static struct bpf_func_state *cur_func(struct bpf_verifier_env *env)
{
	struct bpf_verifier_state *cur = env->cur_state;

	return cur->frame[cur->curframe];
}

static struct btf_record *reg_btf_record(const struct bpf_reg_state *reg)
{
	if (!reg->btf)
		return NULL;
	return example_btf_record(reg->btf, reg->btf_id);
}

static int release_reference(struct bpf_verifier_env *env, int ref_obj_id)
{
	struct bpf_func_state *state = cur_func(env);
	int i;

	for (i = 0; i < state->acquired_refs; i++) {
		if (state->refs[i].id != ref_obj_id)
			continue;
		example_drop_ref(state, i);
		return 0;
	}
	return -EINVAL;
}

static int process_spin_lock(struct bpf_verifier_env *env, int regno, bool is_lock)
{
	struct bpf_verifier_state *cur = env->cur_state;
	struct bpf_func_state *fstate = cur_func(env);
	int i;

	if (is_lock) {
		if (cur->active_lock.ptr) {
			verbose(env, "Locking two bpf_spin_locks are not allowed\n");
			return -EINVAL;
		}
		cur->active_lock.ptr = example_lock_owner(env, regno);
		cur->active_lock.id = example_lock_id(env, regno);
		return 0;
	}

	if (!cur->active_lock.ptr) {
		verbose(env, "bpf_spin_unlock without taking a lock\n");
		return -EINVAL;
	}
	cur->active_lock.ptr = NULL;
	cur->active_lock.id = 0;
	for (i = fstate->acquired_refs - 1; i >= 0; i--) {
		int err;

		if (!fstate->refs[i].release_on_unlock)
			continue;
		err = release_reference(env, fstate->refs[i].id);
		if (err) {
			verbose(env, "failed to release release_on_unlock reference");
			return err;
		}
	}
	return 0;
}

enum special_kfunc_type {
	KF_bpf_obj_new_impl,
	KF_bpf_obj_drop_impl,
	KF_bpf_list_push_front,
	KF_bpf_list_push_back,
	KF_bpf_list_pop_front,
	KF_bpf_list_pop_back,
	KF_bpf_cast_to_kern_ctx,
	KF_bpf_rdonly_cast,
};

BTF_SET_START(special_kfunc_set)
BTF_ID(func, bpf_obj_new_impl)
BTF_ID(func, bpf_obj_drop_impl)
BTF_ID(func, bpf_list_push_front)
BTF_ID(func, bpf_list_push_back)
BTF_ID(func, bpf_list_pop_front)
BTF_ID(func, bpf_list_pop_back)
BTF_ID(func, bpf_cast_to_kern_ctx)
BTF_ID(func, bpf_rdonly_cast)
BTF_SET_END(special_kfunc_set)

BTF_ID_LIST(special_kfunc_list)
BTF_ID(func, bpf_obj_new_impl)
BTF_ID(func, bpf_obj_drop_impl)
BTF_ID(func, bpf_list_push_front)
BTF_ID(func, bpf_list_push_back)
BTF_ID(func, bpf_list_pop_front)
BTF_ID(func, bpf_list_pop_back)
BTF_ID(func, bpf_cast_to_kern_ctx)
BTF_ID(func, bpf_rdonly_cast)

static bool is_bpf_list_api_kfunc(u32 btf_id)
{
	return btf_id == special_kfunc_list[KF_bpf_list_push_front] ||
	       btf_id == special_kfunc_list[KF_bpf_list_push_back] ||
	       btf_id == special_kfunc_list[KF_bpf_list_pop_front] ||
	       btf_id == special_kfunc_list[KF_bpf_list_pop_back];
}

static int ref_set_release_on_unlock(struct bpf_verifier_env *env, u32 ref_obj_id)
{
	struct bpf_func_state *state = cur_func(env);
	int i;

	if (!ref_obj_id) {
		verbose(env, "verifier internal error: ref_obj_id is zero for release_on_unlock\n");
		return -EFAULT;
	}
	for (i = 0; i < state->acquired_refs; i++) {
		if (state->refs[i].id == ref_obj_id) {
			state->refs[i].release_on_unlock = true;
			return 0;
		}
	}
	verbose(env, "verifier internal error: ref state missing for ref_obj_id\n");
	return -EFAULT;
}

static int process_kf_arg_ptr_to_list_node(struct bpf_verifier_env *env,
					   struct bpf_reg_state *reg, u32 list_node_off)
{
	struct btf_field *field;
	struct btf_record *rec;

	rec = reg_btf_record(reg);
	field = btf_record_find(rec, list_node_off, BPF_LIST_NODE);
	if (!field) {
		verbose(env, "bpf_list_node not found at offset=%u\n", list_node_off);
		return -EINVAL;
	}
	/* Set arg#1 for expiration after unlock */
	return ref_set_release_on_unlock(env, reg->ref_obj_id);
}

static int check_kfunc_release(struct bpf_verifier_env *env, struct bpf_reg_state *regs,
			       int release_regno, const char *func_name, u32 func_id)
{
	int err;

	err = release_reference(env, regs[release_regno].ref_obj_id);
	if (err) {
		verbose(env, "kfunc %s#%d reference has not been acquired before\n",
			func_name, func_id);
		return err;
	}
	return 0;
}

static bool check_ids(u32 old_id, u32 cur_id, struct bpf_id_pair *idmap)
{
	unsigned int i;

	for (i = 0; i < BPF_ID_MAP_SIZE; i++) {
		if (!idmap[i].old) {
			idmap[i].old = old_id;
			idmap[i].cur = cur_id;
			return true;
		}
		if (idmap[i].old == old_id)
			return idmap[i].cur == cur_id;
	}
	return false;
}

static bool regsafe(struct bpf_verifier_env *env, struct bpf_reg_state *rold,
		    struct bpf_reg_state *rcur, struct bpf_id_pair *idmap)
{
	if (!(rold->live & REG_LIVE_READ))
		return true;
	if (rold->type == NOT_INIT)
		return true;
	if (rcur->type == NOT_INIT)
		return false;
	if (rold->type != rcur->type)
		return false;
	/* everything before id must match exactly; then the ids must map */
	return memcmp(rold, rcur, offsetof(struct bpf_reg_state, id)) == 0 &&
	       check_ids(rold->id, rcur->id, idmap) &&
	       check_ids(rold->ref_obj_id, rcur->ref_obj_id, idmap);
}

static bool refsafe(struct bpf_func_state *old, struct bpf_func_state *cur)
{
	if (old->acquired_refs != cur->acquired_refs)
		return false;
	return memcmp(old->refs, cur->refs,
		      sizeof(*old->refs) * old->acquired_refs) == 0;
}

static bool func_states_equal(struct bpf_verifier_env *env, struct bpf_func_state *old,
			      struct bpf_func_state *cur, struct bpf_id_pair *idmap)
{
	int i;

	for (i = 0; i < MAX_BPF_REG; i++)
		if (!regsafe(env, &old->regs[i], &cur->regs[i], idmap))
			return false;
	return refsafe(old, cur);
}

static bool states_equal(struct bpf_verifier_env *env, struct bpf_verifier_state *old,
			 struct bpf_verifier_state *cur, struct bpf_id_pair *idmap)
{
	int i;

	if (old->curframe != cur->curframe)
		return false;
	if (old->speculative && !cur->speculative)
		return false;
	if (old->active_lock.ptr != cur->active_lock.ptr)
		return false;
	if (old->active_lock.ptr &&
	    !check_ids(old->active_lock.id, cur->active_lock.id, idmap))
		return false;
	if (old->active_rcu_lock != cur->active_rcu_lock)
		return false;
	for (i = 0; i <= old->curframe; i++) {
		if (old->frame[i]->callsite != cur->frame[i]->callsite)
			return false;
		if (!func_states_equal(env, old->frame[i], cur->frame[i], idmap))
			return false;
	}
	return true;
}
