/** Patches 7 to 13 of the series: UAPI and its tools/ copy, libbpf, selftests. */
import { afterLast, append, before, chain } from './edits.js';
import { linkedListAdditions, rbtreeOwnerFailProgs, rbtreeOwnerProgTests, rbtreeOwnerProgs } from './selftest-progs.js';
import type { SeriesPatchSpec, SpecContext } from './series-spec.js';

export function specUapiSelftests({ read, uapiFlag, uapiDoc }: SpecContext): SeriesPatchSpec[] {
  return [
    {
      subject: 'bpf: Add BPF_F_TEST_NODE_OWNER and struct bpf_rb_owner_info to the UAPI',
      body: `Let BPF_PROG_TEST_RUN check that a program released every node it owned,
and let user space read which owner checks a map's programs were loaded with.`,
      edits: [
        ['include/uapi/linux/bpf.h', chain(afterLast(/^#define BPF_F_TEST_\w+\s+\(1U << \d+\).*$/m, uapiFlag), append(uapiDoc))],
      ],
    },
    {
      subject: 'tools: Sync the UAPI bpf.h with the kernel',
      body: 'Copy BPF_F_TEST_NODE_OWNER and struct bpf_rb_owner_info to tools/.',
      edits: [
        ['tools/include/uapi/linux/bpf.h', chain(afterLast(/^#define BPF_F_TEST_\w+\s+\(1U << \d+\).*$/m, uapiFlag), append(uapiDoc))],
      ],
    },
    {
      subject: 'libbpf: Add bpf_map_get_rb_owner_info() and the bpf_rbtree_owner_* declarations',
      body: `Declare the new kfuncs for BPF programs and add a helper macro that walks
the nodes of an rbtree while holding an owner reference on each.`,
      edits: [
        ['tools/lib/bpf/bpf.h', before(/^LIBBPF_API int bpf_map_get_fd_by_id\(/m, `/**
 * @brief **bpf_map_get_rb_owner_info()** reads what the verifier enforced on
 * the owners of the rbtree in the values of a map.
 *
 * @param map_fd a map whose value type holds a bpf_rb_root
 * @param info where to store it
 * @return 0 on success; negative error code otherwise (-EOPNOTSUPP from a
 * kernel without owner references)
 */
LIBBPF_API int bpf_map_get_rb_owner_info(int map_fd, struct bpf_rb_owner_info *info);

`)],
        ['tools/lib/bpf/bpf.c', before(/^int bpf_map_get_fd_by_id\(__u32 id\)/m, `int bpf_map_get_rb_owner_info(int map_fd, struct bpf_rb_owner_info *info)
{
	struct bpf_map_info map_info;
	__u32 len = sizeof(map_info);
	int err;

	memset(&map_info, 0, len);
	memset(info, 0, sizeof(*info));
	err = bpf_map_get_info_by_fd(map_fd, &map_info, &len);
	if (err)
		return libbpf_err(err);
	if (!(info->flags & BPF_RB_OWNER_CHECKED))
		return libbpf_err(-EOPNOTSUPP);
	return 0;
}

`)],
        ['tools/lib/bpf/libbpf.map', afterLast(/^\tglobal:$/m, '\t\tbpf_map_get_rb_owner_info;\n')],
        ['tools/lib/bpf/bpf_helpers.h', before(/^#endif\s*$(?![\s\S]*^#endif)/m, `
struct bpf_rb_root;
struct bpf_rb_node;

extern struct bpf_rb_node *bpf_rbtree_owner_acquire(struct bpf_rb_root *root,
						    struct bpf_rb_node *node) __weak __ksym;
extern void bpf_rbtree_owner_release(struct bpf_rb_node *node) __weak __ksym;
extern __u32 bpf_rbtree_owner_count(struct bpf_rb_node *node) __weak __ksym;
extern struct bpf_rb_node *bpf_rbtree_owner_next(struct bpf_rb_root *root,
						 struct bpf_rb_node *node) __weak __ksym;
extern bool bpf_rbtree_owner_valid(struct bpf_rb_root *root,
				   struct bpf_rb_node *node) __weak __ksym;
extern struct bpf_rb_node *bpf_rbtree_owner_first(struct bpf_rb_root *root) __weak __ksym;
extern struct bpf_rb_node *bpf_rbtree_owner_last(struct bpf_rb_root *root) __weak __ksym;

/*
 * Walk the first @nr nodes of @root starting at @first, each held by an owner
 * reference while the body runs. The graph lock must be held.
 */
#define bpf_for_each_owned_node(root, first, pos, nr)				\\
	for (int ___i = 0; ___i < (nr) && (pos = (first)); ___i++)		\\
		if ((pos = bpf_rbtree_owner_acquire((root), pos)) == NULL)	\\
			break;							\\
		else

`)],
      ],
    },
    {
      subject: 'selftests/bpf: Add rbtree_owner success tests',
      body: `Programs that add nodes to an rbtree, take the first one and remove it,
checking the key on the way. Each is run with BPF_PROG_TEST_RUN.`,
      edits: [
        ['tools/testing/selftests/bpf/progs/rbtree_owner.c', () => rbtreeOwnerProgs(5)],
        ['tools/testing/selftests/bpf/prog_tests/rbtree_owner.c', () => rbtreeOwnerProgTests(5)],
      ],
    },
    {
      subject: 'selftests/bpf: Add rbtree_owner failure tests',
      body: `Programs the verifier must reject: a node added without the lock, a node
leaked, a non-owning reference removed, and an owning reference used after it
was added to the tree.`,
      edits: [
        ['tools/testing/selftests/bpf/progs/rbtree_owner_fail.c', () => rbtreeOwnerFailProgs(16)],
      ],
    },
    {
      subject: 'bpf: Mark bpf_rbtree_first as KF_NODE_OWNER',
      body: 'bpf_rbtree_first() returns a node that stays in the tree. One line.',
      edits: [
        ['kernel/bpf/helpers.c', (old) => {
          const t = old ?? '';
          const re = /^BTF_ID_FLAGS\(func, bpf_rbtree_first, ([^)]+)\)$/m;
          if (re.test(t)) return t.replace(re, 'BTF_ID_FLAGS(func, bpf_rbtree_first, $1 | KF_NODE_OWNER)');
          return t.replace(/^BTF_ID_FLAGS\(func, bpf_rbtree_owner_count\)$/m, 'BTF_ID_FLAGS(func, bpf_rbtree_owner_count, KF_NODE_OWNER)');
        }],
      ],
    },
    {
      subject: 'selftests/bpf: Add owned push/pop tests to linked_list',
      body: `Push a node to the front or back of a list and pop it again, checking that
the node popped is owned by the program.`,
      edits: [
        ['tools/testing/selftests/bpf/progs/linked_list.c', (old) => {
          const add = linkedListAdditions(10);
          const t = old ?? '';
          const lic = t.lastIndexOf('char _license[]');
          return lic >= 0 ? t.slice(0, lic) + add.slice(1) + '\n' + t.slice(lic) : t + add;
        }],
      ],
    },
  ];
}
