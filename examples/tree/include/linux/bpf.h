/* SPDX-License-Identifier: GPL-2.0-only */
/* Example tree: the parts of bpf.h that bpf-review reads. */
#ifndef _LINUX_BPF_H
#define _LINUX_BPF_H 1

#include <linux/types.h>

enum btf_field_type {
	BPF_SPIN_LOCK  = (1 << 0),
	BPF_TIMER      = (1 << 1),
	BPF_KPTR_UNREF = (1 << 2),
	BPF_KPTR_REF   = (1 << 3),
	BPF_KPTR       = BPF_KPTR_UNREF | BPF_KPTR_REF,
	BPF_LIST_HEAD  = (1 << 4),
	BPF_LIST_NODE  = (1 << 5),
};

struct btf_field {
	u32 offset;
	enum btf_field_type type;
};

struct btf_record {
	u32 cnt;
	u32 field_mask;
	struct btf_field fields[];
};

#define BPF_BASE_TYPE_BITS	8

enum bpf_type_flag {
	/* PTR may be NULL. */
	PTR_MAYBE_NULL		= BIT(0 + BPF_BASE_TYPE_BITS),
	/* Allocated with bpf_obj_new, type from program BTF. */
	MEM_ALLOC		= BIT(11 + BPF_BASE_TYPE_BITS),
	/* Pointer known to be valid (trusted). */
	PTR_TRUSTED		= BIT(12 + BPF_BASE_TYPE_BITS),
	/* Pointer protected by RCU. */
	MEM_RCU			= BIT(13 + BPF_BASE_TYPE_BITS),
};

struct btf_field *btf_record_find(const struct btf_record *rec, u32 offset,
				  enum btf_field_type type);

#endif /* _LINUX_BPF_H */
