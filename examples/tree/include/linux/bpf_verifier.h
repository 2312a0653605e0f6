/* SPDX-License-Identifier: GPL-2.0-only */
/* Example tree: the verifier state structs, 6.2 shape (release_on_unlock, anonymous active_lock). */
#ifndef _LINUX_BPF_VERIFIER_H
#define _LINUX_BPF_VERIFIER_H 1

#include <linux/bpf.h>

#define MAX_BPF_REG		11
#define MAX_CALL_FRAMES		8

enum bpf_reg_liveness {
	REG_LIVE_NONE = 0,
	REG_LIVE_READ32 = 0x1,
	REG_LIVE_READ64 = 0x2,
	REG_LIVE_WRITTEN = 0x4,
	REG_LIVE_DONE = 0x8,
};

struct bpf_reg_state {
	/* Ordering of fields matters.  See states_equal() */
	enum bpf_reg_type type;
	/* Fixed part of pointer offset, pointer types only */
	s32 off;
	union {
		/* valid when type == PTR_TO_PACKET */
		int range;

		/* valid when type == CONST_PTR_TO_MAP | PTR_TO_MAP_VALUE */
		struct {
			struct bpf_map *map_ptr;
			u32 map_uid;
		};

		/* for PTR_TO_BTF_ID */
		struct {
			struct btf *btf;
			u32 btf_id;
		};

		u32 mem_size; /* for PTR_TO_MEM | PTR_TO_MEM_OR_NULL */
	};
	/* Ranges known for the value */
	struct tnum var_off;
	s64 smin_value;
	s64 smax_value;
	u64 umin_value;
	u64 umax_value;
	/* Pointers with the same id point at the same object */
	u32 id;
	/* Non-zero when the pointer holds a reference that must be released */
	u32 ref_obj_id;
	/* parentage chain for liveness checking */
	struct bpf_reg_state *parent;
	u32 frameno;
	enum bpf_reg_liveness live;
	bool precise;
};

struct bpf_reference_state {
	/* Track each reference created with a unique id, even if the same
	 * instruction creates the reference multiple times.
	 */
	int id;
	/* Instruction where the allocation of this reference occurred. */
	int insn_idx;
	/* Set when the reference was acquired in a callback frame. */
	int callback_ref;
	/* Release the registers sharing this id on bpf_spin_unlock. */
	bool release_on_unlock;
};

struct bpf_func_state {
	struct bpf_reg_state regs[MAX_BPF_REG];
	int callsite;
	u32 frameno;
	u32 subprogno;
	int acquired_refs;
	struct bpf_reference_state *refs;
	int allocated_stack;
};

struct bpf_verifier_state {
	/* call stack tracking */
	struct bpf_func_state *frame[MAX_CALL_FRAMES];
	struct bpf_verifier_state *parent;
	u32 branches;
	u32 insn_idx;
	u32 curframe;
	/* The (ptr, id) of the lock held, if any */
	struct {
		/* map_ptr or btf of the register holding the lock; NULL when unlocked */
		void *ptr;
		/* reg->id of that register */
		u32 id;
	} active_lock;
	bool speculative;
	bool active_rcu_lock;
};

struct bpf_verifier_env {
	struct bpf_verifier_state *cur_state;
	u32 log_level;
};

__printf(2, 3) void bpf_verifier_log_write(struct bpf_verifier_env *env,
					   const char *fmt, ...);

#endif /* _LINUX_BPF_VERIFIER_H */
