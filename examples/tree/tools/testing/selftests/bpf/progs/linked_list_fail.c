// SPDX-License-Identifier: GPL-2.0
/* Example tree: programs the verifier must reject (table in prog_tests/linked_list.c). */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"
#include "linked_list.h"

SEC("?tc")
int write_after_push_front(void *ctx)
{
	struct foo *f;

	f = bpf_obj_new(typeof(*f));
	if (!f)
		return 0;
	bpf_spin_lock(&glock);
	bpf_list_push_front(&ghead, &f->node);
	f->data = 42;
	bpf_spin_unlock(&glock);
	return 0;
}

SEC("?tc")
int write_after_push_back(void *ctx)
{
	struct foo *f;

	f = bpf_obj_new(typeof(*f));
	if (!f)
		return 0;
	bpf_spin_lock(&glock);
	bpf_list_push_back(&ghead, &f->node);
	f->data = 42;
	bpf_spin_unlock(&glock);
	return 0;
}

SEC("?tc")
int use_after_unlock_push_front(void *ctx)
{
	struct foo *f;

	f = bpf_obj_new(typeof(*f));
	if (!f)
		return 0;
	bpf_spin_lock(&glock);
	bpf_list_push_front(&ghead, &f->node);
	bpf_spin_unlock(&glock);
	return f->data;
}

SEC("?tc")
__failure __msg("arg#1 expected pointer to allocated object")
int double_push_front(void *ctx)
{
	struct foo *f;

	f = bpf_obj_new(typeof(*f));
	if (!f)
		return 0;
	bpf_spin_lock(&glock);
	bpf_list_push_front(&ghead, &f->node);
	bpf_list_push_front(&ghead, &f->node);
	bpf_spin_unlock(&glock);
	return 0;
}

char _license[] SEC("license") = "GPL";
