// SPDX-License-Identifier: GPL-2.0
/* Example tree: programs that must load and run. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "linked_list.h"

SEC("tc")
int push_pop(void *ctx)
{
	struct bpf_list_node *n;
	struct foo *f;

	f = bpf_obj_new(typeof(*f));
	if (!f)
		return 0;
	bpf_spin_lock(&glock);
	bpf_list_push_front(&ghead, &f->node);
	bpf_spin_unlock(&glock);

	bpf_spin_lock(&glock);
	n = bpf_list_pop_front(&ghead);
	bpf_spin_unlock(&glock);
	if (!n)
		return 1;
	f = container_of(n, struct foo, node);
	bpf_obj_drop(f);
	return 0;
}

SEC("tc")
int read_after_push(void *ctx)
{
	struct foo *f;
	int v;

	f = bpf_obj_new(typeof(*f));
	if (!f)
		return 0;
	bpf_spin_lock(&glock);
	bpf_list_push_back(&ghead, &f->node);
	v = f->data;
	bpf_spin_unlock(&glock);
	return v;
}

char _license[] SEC("license") = "GPL";
