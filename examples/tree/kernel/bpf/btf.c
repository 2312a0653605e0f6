// SPDX-License-Identifier: GPL-2.0
/* Example tree: registration entry point (no per-flag checks in 6.2). */
#include <linux/bpf.h>
#include <linux/btf.h>

int register_btf_kfunc_id_set(enum bpf_prog_type prog_type,
			      const struct btf_kfunc_id_set *kset)
{
	if (!kset || !kset->set)
		return -EINVAL;
	return example_add_kfunc_set(prog_type, kset->set);
}
EXPORT_SYMBOL_GPL(register_btf_kfunc_id_set);
