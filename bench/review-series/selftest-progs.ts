/** The text of the graph selftest programs and prog_tests the series adds. */

const RB_PROLOGUE = `// SPDX-License-Identifier: GPL-2.0
/* Copyright (c) 2026 Ada Benchmark */

#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "bpf_experimental.h"
#include "bpf_misc.h"

struct node_data {
	long key;
	long data;
	struct bpf_rb_node node;
};

#define private(name) SEC(".data." #name) __hidden __attribute__((aligned(8)))
private(A) struct bpf_spin_lock glock;
private(A) struct bpf_rb_root groot __contains(node_data, node);

static bool less(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	struct node_data *node_a;
	struct node_data *node_b;

	node_a = container_of(a, struct node_data, node);
	node_b = container_of(b, struct node_data, node);

	return node_a->key < node_b->key;
}
`;

/** Success programs of the new selftest: add `count` nodes and read the first one back. */
export function rbtreeOwnerProgs(n: number): string {
  const out: string[] = [RB_PROLOGUE];
  for (let i = 0; i < n; i++) {
    const keys = Array.from({ length: 1 + (i % 3) }, (_, k) => 5 * (i + 1) + k);
    out.push(`
SEC("tc")
long rbtree_owner_add_${i}(void *ctx)
{
	struct node_data *n${keys.map((_, k) => `, *m${k}`).join('')};
	struct bpf_rb_node *res;
	long key;
`);
    for (const [k, key] of keys.entries()) {
      out.push(`
	m${k} = bpf_obj_new(typeof(*m${k}));
	if (!m${k})
		return ${k + 1};
	m${k}->key = ${key};
	m${k}->data = ${key * 2};
	bpf_spin_lock(&glock);
	bpf_rbtree_add(&groot, &m${k}->node, less);
	bpf_spin_unlock(&glock);
`);
    }
    out.push(`
	bpf_spin_lock(&glock);
	res = bpf_rbtree_first(&groot);
	if (!res) {
		bpf_spin_unlock(&glock);
		return 10;
	}
	n = container_of(res, struct node_data, node);
	key = n->key;
	res = bpf_rbtree_remove(&groot, &n->node);
	bpf_spin_unlock(&glock);
	if (!res)
		return 11;
	n = container_of(res, struct node_data, node);
	bpf_obj_drop(n);
	return key == ${keys[0]} ? 0 : 12;
}
`);
  }
  out.push('\nchar _license[] SEC("license") = "GPL";\n');
  return out.join('');
}

/** Failure programs of the new selftest, each with the verifier message it expects. */
export function rbtreeOwnerFailProgs(n: number): string {
  const shapes: { msg: string; body: (i: number) => string }[] = [
    {
      msg: 'bpf_spin_lock at off=',
      body: (i) => `	struct node_data *n;

	n = bpf_obj_new(typeof(*n));
	if (!n)
		return 1;
	n->key = ${i};
	bpf_rbtree_add(&groot, &n->node, less);
	return 0;
`,
    },
    {
      msg: 'Unreleased reference id=',
      body: (i) => `	struct node_data *n;

	n = bpf_obj_new(typeof(*n));
	if (!n)
		return 1;
	n->key = ${i};
	return 0;
`,
    },
    {
      msg: 'rbtree_remove node input must be non-owning ref',
      body: (i) => `	struct node_data *n;
	struct bpf_rb_node *res;

	n = bpf_obj_new(typeof(*n));
	if (!n)
		return 1;
	n->key = ${i};
	bpf_spin_lock(&glock);
	res = bpf_rbtree_remove(&groot, &n->node);
	bpf_spin_unlock(&glock);
	if (res)
		bpf_obj_drop(container_of(res, struct node_data, node));
	return 0;
`,
    },
    {
      msg: 'invalid mem access',
      body: (i) => `	struct node_data *n;

	n = bpf_obj_new(typeof(*n));
	if (!n)
		return 1;
	bpf_spin_lock(&glock);
	bpf_rbtree_add(&groot, &n->node, less);
	bpf_spin_unlock(&glock);
	n->key = ${i};
	return 0;
`,
    },
  ];
  const out: string[] = [RB_PROLOGUE];
  for (let i = 0; i < n; i++) {
    const s = shapes[i % shapes.length] as (typeof shapes)[number];
    out.push(`
SEC("?tc")
__failure __msg("${s.msg}")
long rbtree_owner_fail_${i}(void *ctx)
{
${s.body(i)}}
`);
  }
  out.push('\nchar _license[] SEC("license") = "GPL";\n');
  return out.join('');
}

export function rbtreeOwnerProgTests(n: number): string {
  const out = [`// SPDX-License-Identifier: GPL-2.0
/* Copyright (c) 2026 Ada Benchmark */
#include <test_progs.h>
#include <network_helpers.h>

#include "rbtree_owner.skel.h"
#include "rbtree_owner_fail.skel.h"

static void run_owner_prog(const char *name)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		    .data_in = &pkt_v4,
		    .data_size_in = sizeof(pkt_v4),
		    .repeat = 1,
	);
	struct bpf_program *prog;
	struct rbtree_owner *skel;
	int ret;

	skel = rbtree_owner__open_and_load();
	if (!ASSERT_OK_PTR(skel, "rbtree_owner__open_and_load"))
		return;
	prog = bpf_object__find_program_by_name(skel->obj, name);
	if (!ASSERT_OK_PTR(prog, "find_program_by_name"))
		goto out;
	ret = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
	ASSERT_OK(ret, name);
	ASSERT_OK(opts.retval, "retval");
out:
	rbtree_owner__destroy(skel);
}

void test_rbtree_owner(void)
{
`];
  for (let i = 0; i < n; i++) out.push(`	if (test__start_subtest("add_${i}"))\n		run_owner_prog("rbtree_owner_add_${i}");\n`);
  out.push('}\n\nvoid test_rbtree_owner_fail(void)\n{\n\tRUN_TESTS(rbtree_owner_fail);\n}\n');
  return out.join('');
}

export function linkedListAdditions(n: number): string {
  const out = [`
struct bench_elem {
	int data;
	struct bpf_list_node node;
};

private(BENCH) struct bpf_spin_lock bench_lock;
private(BENCH) struct bpf_list_head bench_head __contains(bench_elem, node);
`];
  for (let i = 0; i < n; i++) {
    out.push(`
SEC("tc")
int list_push_pop_owned_${i}(void *ctx)
{
	struct bpf_list_node *l;
	struct bench_elem *e;

	e = bpf_obj_new(typeof(*e));
	if (!e)
		return 1;
	e->data = ${i + 40};
	bpf_spin_lock(&bench_lock);
	bpf_list_push_${i % 2 ? 'back' : 'front'}(&bench_head, &e->node);
	l = bpf_list_pop_${i % 2 ? 'back' : 'front'}(&bench_head);
	bpf_spin_unlock(&bench_lock);
	if (!l)
		return 2;
	e = container_of(l, struct bench_elem, node);
	if (e->data != ${i + 40}) {
		bpf_obj_drop(e);
		return 3;
	}
	bpf_obj_drop(e);
	return 0;
}
`);
  }
  return out.join('');
}

