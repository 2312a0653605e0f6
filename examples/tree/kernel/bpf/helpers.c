// SPDX-License-Identifier: GPL-2.0-only
/*
 * Example tree: generic kfuncs and their registration (6.2 shape).
 * The bodies are placeholders; bpf-review reads prototypes, sets and flags.
 */
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>

struct bpf_list_node {
	struct bpf_list_node *next;
	struct bpf_list_node *prev;
};

struct bpf_list_head {
	struct bpf_list_node *first;
};

__diag_push();
__diag_ignore_all("-Wmissing-prototypes",
		  "Global functions as their definitions will be in vmlinux BTF");

__bpf_kfunc void *bpf_obj_new_impl(u64 local_type_id__k, void *meta__ign)
{
	void *obj = example_alloc(local_type_id__k);

	if (!obj)
		return NULL;
	example_init_fields(meta__ign, obj);
	return obj;
}

__bpf_kfunc void bpf_obj_drop_impl(void *p__alloc, void *meta__ign)
{
	example_free_fields(meta__ign, p__alloc);
	example_free(p__alloc);
}

static void list_insert(struct bpf_list_head *head, struct bpf_list_node *node, bool tail)
{
	struct bpf_list_node *first = head->first;

	node->next = tail ? NULL : first;
	node->prev = NULL;
	if (!tail || !first)
		head->first = node;
}

__bpf_kfunc void bpf_list_push_front(struct bpf_list_head *head, struct bpf_list_node *node)
{
	list_insert(head, node, false);
}

__bpf_kfunc void bpf_list_push_back(struct bpf_list_head *head, struct bpf_list_node *node)
{
	list_insert(head, node, true);
}

static struct bpf_list_node *list_remove(struct bpf_list_head *head, bool tail)
{
	struct bpf_list_node *node = head->first;

	if (!node)
		return NULL;
	head->first = node->next;
	return node;
}

__bpf_kfunc struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head)
{
	return list_remove(head, false);
}

__bpf_kfunc struct bpf_list_node *bpf_list_pop_back(struct bpf_list_head *head)
{
	return list_remove(head, true);
}

__bpf_kfunc struct task_struct *bpf_task_acquire(struct task_struct *p)
{
	return example_get_task(p);
}

__bpf_kfunc void bpf_task_release(struct task_struct *p)
{
	example_put_task(p);
}

#ifdef CONFIG_CGROUPS
__bpf_kfunc struct cgroup *bpf_cgroup_acquire(struct cgroup *cgrp)
{
	return example_get_cgroup(cgrp);
}

__bpf_kfunc void bpf_cgroup_release(struct cgroup *cgrp)
{
	example_put_cgroup(cgrp);
}
#endif /* CONFIG_CGROUPS */

__bpf_kfunc void *bpf_cast_to_kern_ctx(void *obj)
{
	return obj;
}

__bpf_kfunc void *bpf_rdonly_cast(void *obj__ign, u32 btf_id__k)
{
	return obj__ign;
}

__diag_pop();

BTF_SET8_START(generic_btf_ids)
#ifdef CONFIG_KEXEC_CORE
BTF_ID_FLAGS(func, crash_kexec, KF_DESTRUCTIVE)
#endif
BTF_ID_FLAGS(func, bpf_obj_new_impl, KF_ACQUIRE | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_obj_drop_impl, KF_RELEASE)
BTF_ID_FLAGS(func, bpf_list_push_front)
BTF_ID_FLAGS(func, bpf_list_push_back)
BTF_ID_FLAGS(func, bpf_list_pop_front, KF_ACQUIRE | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_list_pop_back, KF_ACQUIRE | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_task_acquire, KF_ACQUIRE | KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_task_release, KF_RELEASE)
#ifdef CONFIG_CGROUPS
BTF_ID_FLAGS(func, bpf_cgroup_acquire,
	     KF_ACQUIRE | KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_cgroup_release, KF_RELEASE)
#endif
BTF_SET8_END(generic_btf_ids)

static const struct btf_kfunc_id_set generic_kfunc_set = {
	.owner = THIS_MODULE,
	.set   = &generic_btf_ids,
};

BTF_SET8_START(common_btf_ids)
BTF_ID_FLAGS(func, bpf_cast_to_kern_ctx)
BTF_ID_FLAGS(func, bpf_rdonly_cast)
BTF_SET8_END(common_btf_ids)

static const struct btf_kfunc_id_set common_kfunc_set = {
	.owner = THIS_MODULE,
	.set   = &common_btf_ids,
};

static int __init kfunc_init(void)
{
	int ret;

	ret = register_btf_kfunc_id_set(BPF_PROG_TYPE_TRACING, &generic_kfunc_set);
	ret = ret ?: register_btf_kfunc_id_set(BPF_PROG_TYPE_SCHED_CLS, &generic_kfunc_set);
	ret = ret ?: register_btf_kfunc_id_set(BPF_PROG_TYPE_STRUCT_OPS, &generic_kfunc_set);
	return ret ?: register_btf_kfunc_id_set(BPF_PROG_TYPE_UNSPEC, &common_kfunc_set);
}

late_initcall(kfunc_init);
