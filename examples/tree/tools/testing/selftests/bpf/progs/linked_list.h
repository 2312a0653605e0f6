/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LINKED_LIST_H
#define LINKED_LIST_H

#include <bpf/bpf_helpers.h>
#include "bpf_experimental.h"

struct foo {
	struct bpf_list_node node;
	int data;
};

#define private(name) SEC(".data." #name) __hidden __attribute__((aligned(8)))

private(A) struct bpf_spin_lock glock;
private(A) struct bpf_list_head ghead __contains(foo, node);

#endif
