/** Patches 1 to 3 of the series: the KF_NODE_OWNER flag, the owner kfuncs, the owner reference in bpf_reg_state. */
import { afterLast, before, chain } from './edits.js';
import type { SeriesPatchSpec, SpecContext } from './series-spec.js';

export function specKfuncs({ read, bit, setEnd, defsEnd, setStart }: SpecContext): SeriesPatchSpec[] {
  return [
    {
      subject: 'bpf: Add KF_NODE_OWNER kfunc flag',
      body: `Graph kfuncs that hand a node back to the program do not say whether the
node is owned by the caller or still belongs to its collection. The verifier
works it out from the kfunc's name today, which does not scale to new kfuncs.

Add KF_NODE_OWNER: the kfunc returns a node the program owns and must release
or push back. Nothing sets it yet.`,
      edits: [
        ['include/linux/btf.h', afterLast(/^#define KF_\w+\s+\(1 << \d+\).*$/m, `/*
 * KF_NODE_OWNER: the kfunc returns a node of a graph collection (bpf_list_head,
 * bpf_rb_root) that stays in its collection. The program may read and write the
 * node while it holds the collection's lock; after the unlock it may only use
 * the node through an owner reference (bpf_rbtree_owner_acquire()).
 *
 * The flag is only meaningful together with a graph kfunc: the verifier rejects
 * it on kfuncs that return anything but a graph node.
 */
#define KF_NODE_OWNER   (1 << ${bit}) /* kfunc returns a graph node owned by the caller */
`)],
        ['kernel/bpf/verifier.c', before(/^static bool is_kfunc_rcu\(/m, `static bool is_kfunc_node_owner(struct bpf_kfunc_call_arg_meta *meta)
{
	return meta->kfunc_flags & KF_NODE_OWNER;
}

/* A KF_NODE_OWNER kfunc must return a graph node: anything else is a bug in
 * the kfunc's registration, reported when the program is loaded.
 */
static bool node_owner_ret_ok(const struct btf_type *t)
{
	return t && btf_type_is_ptr(t);
}

`)],
      ],
    },
    {
      subject: 'bpf: Add bpf_rbtree_owner_acquire and bpf_rbtree_owner_release kfuncs',
      body: `A program that removed a node from an rbtree can only drop it or add it back.
Add a pair of kfuncs to take a counted owner reference on a node while it is
still in the tree, and to give it back, so that a program can keep a node
across a bpf_spin_unlock() without racing with its removal by another CPU.

bpf_rbtree_owner_acquire() returns NULL when the node is being freed.`,
      edits: [
        ['include/linux/bpf.h', before(/^#endif \/\* _LINUX_BPF_H \*\/$/m, `/*
 * Owner references of graph nodes (bpf_rbtree_owner_acquire()): a node stays
 * alive while its owner count is not zero, even after it was removed from its
 * collection, and its owner field names the collection it is in (NULL once it
 * was removed).
 */
struct bpf_graph_owner {
	refcount_t refs;
	void *root;
};

static inline bool bpf_graph_owner_held(const struct bpf_graph_owner *o)
{
	return refcount_read(&o->refs) > 0;
}

static inline void bpf_graph_owner_init(struct bpf_graph_owner *o, void *root)
{
	refcount_set(&o->refs, 0);
	WRITE_ONCE(o->root, root);
}

static inline bool bpf_graph_owner_is(const struct bpf_graph_owner *o, const void *root)
{
	return READ_ONCE(o->root) == root;
}

`)],
        ['kernel/bpf/helpers.c', chain(
          before(defsEnd, `/**
 * bpf_rbtree_owner_acquire - Take an owner reference on a node of an rbtree.
 * @root: The rbtree the node is in.
 * @node: The node.
 *
 * Return: the node with a new owner reference, or NULL when the node is being
 * freed. The reference must be passed to bpf_rbtree_owner_release().
 */
__bpf_kfunc struct bpf_rb_node *bpf_rbtree_owner_acquire(struct bpf_rb_root *root,
							  struct bpf_rb_node *node)
{
	struct bpf_rb_node_kern *n = (struct bpf_rb_node_kern *)node;

	if (READ_ONCE(n->owner) != root)
		return NULL;
	if (!refcount_inc_not_zero(&n->owner_refs))
		return NULL;
	return node;
}

/**
 * bpf_rbtree_owner_release - Drop an owner reference taken by bpf_rbtree_owner_acquire().
 * @node: The node.
 */
__bpf_kfunc void bpf_rbtree_owner_release(struct bpf_rb_node *node)
{
	struct bpf_rb_node_kern *n = (struct bpf_rb_node_kern *)node;

	if (refcount_dec_and_test(&n->owner_refs))
		WRITE_ONCE(n->owner, NULL);
}

/**
 * bpf_rbtree_owner_count - The number of owner references held on a node.
 * @node: The node.
 */
__bpf_kfunc u32 bpf_rbtree_owner_count(struct bpf_rb_node *node)
{
	struct bpf_rb_node_kern *n = (struct bpf_rb_node_kern *)node;

	return refcount_read(&n->owner_refs);
}

/**
 * bpf_rbtree_owner_next - The node after @node in @root, with an owner reference.
 * @root: The rbtree.
 * @node: A node of @root the program holds an owner reference on.
 *
 * Return: the next node with a new owner reference, or NULL at the end of the
 * tree or when the next node is being freed.
 */
__bpf_kfunc struct bpf_rb_node *bpf_rbtree_owner_next(struct bpf_rb_root *root,
						       struct bpf_rb_node *node)
{
	struct bpf_rb_node_kern *n = (struct bpf_rb_node_kern *)node;
	struct rb_node *next;

	if (READ_ONCE(n->owner) != root)
		return NULL;
	next = rb_next(&n->rb_node);
	if (!next)
		return NULL;
	return bpf_rbtree_owner_acquire(root, (struct bpf_rb_node *)next);
}

/**
 * bpf_rbtree_owner_first - The first node of @root, with an owner reference.
 * @root: The rbtree.
 *
 * Unlike bpf_rbtree_first(), the node returned may be used after the lock of
 * @root is released, until it is passed to bpf_rbtree_owner_release().
 *
 * Return: the first node with a new owner reference, or NULL when the tree is
 * empty or its first node is being freed.
 */
__bpf_kfunc struct bpf_rb_node *bpf_rbtree_owner_first(struct bpf_rb_root *root)
{
	struct rb_root_cached *r = (struct rb_root_cached *)root;
	struct rb_node *first = rb_first_cached(r);

	if (!first)
		return NULL;
	return bpf_rbtree_owner_acquire(root, (struct bpf_rb_node *)first);
}

/**
 * bpf_rbtree_owner_last - The last node of @root, with an owner reference.
 * @root: The rbtree.
 *
 * Return: the last node with a new owner reference, or NULL when the tree is
 * empty or its last node is being freed.
 */
__bpf_kfunc struct bpf_rb_node *bpf_rbtree_owner_last(struct bpf_rb_root *root)
{
	struct rb_root_cached *r = (struct rb_root_cached *)root;
	struct rb_node *last = rb_last(&r->rb_root);

	if (!last)
		return NULL;
	return bpf_rbtree_owner_acquire(root, (struct bpf_rb_node *)last);
}

/**
 * bpf_rbtree_owner_valid - Whether @node is still in @root.
 * @root: The rbtree.
 * @node: A node the program holds an owner reference on.
 *
 * Return: true while the node has not been removed from the tree.
 */
__bpf_kfunc bool bpf_rbtree_owner_valid(struct bpf_rb_root *root,
					struct bpf_rb_node *node)
{
	struct bpf_rb_node_kern *n = (struct bpf_rb_node_kern *)node;

	return READ_ONCE(n->owner) == root && !RB_EMPTY_NODE(&n->rb_node);
}

`, setStart),
          before(setEnd, `BTF_ID_FLAGS(func, bpf_rbtree_owner_acquire, KF_ACQUIRE | KF_RET_NULL | KF_NODE_OWNER)
BTF_ID_FLAGS(func, bpf_rbtree_owner_release, KF_RELEASE)
BTF_ID_FLAGS(func, bpf_rbtree_owner_count)
BTF_ID_FLAGS(func, bpf_rbtree_owner_next, KF_ACQUIRE | KF_RET_NULL | KF_NODE_OWNER)
BTF_ID_FLAGS(func, bpf_rbtree_owner_valid)
BTF_ID_FLAGS(func, bpf_rbtree_owner_first, KF_ACQUIRE | KF_RET_NULL | KF_NODE_OWNER)
BTF_ID_FLAGS(func, bpf_rbtree_owner_last, KF_ACQUIRE | KF_RET_NULL | KF_NODE_OWNER)
`),
        )],
      ],
    },
    {
      subject: 'bpf: Track the owner reference of a graph node in bpf_reg_state',
      body: `The verifier needs to know, for a pointer to a graph node, which owner
reference (if any) keeps it alive. Add owner_ref_id to struct bpf_reg_state
next to the other reference ids, and clear it where ref_obj_id is cleared.`,
      edits: [
        ['include/linux/bpf_verifier.h', chain(before(/^\tu32 frameno;/m, `	/* For PTR_TO_BTF_ID of a graph node returned by a KF_NODE_OWNER kfunc:
	 * the id of the owner reference that keeps the node alive, 0 otherwise.
	 * Released together with ref_obj_id.
	 */
	u32 owner_ref_id;
`, /^struct bpf_reg_state \{/m), before(/^#endif \/\* _LINUX_BPF_VERIFIER_H \*\/$/m, `/* Does @reg reach a graph node through an owner reference? */
static inline bool reg_has_owner_ref(const struct bpf_reg_state *reg)
{
	return reg->owner_ref_id != 0;
}

/* Do two registers reach their node through the same owner reference? */
static inline bool reg_same_owner_ref(const struct bpf_reg_state *a,
				      const struct bpf_reg_state *b)
{
	return a->owner_ref_id == b->owner_ref_id;
}

`))],
        ['kernel/bpf/verifier.c', before(/^static bool is_kfunc_rcu\(/m, `static void clear_owner_ref(struct bpf_reg_state *reg)
{
	reg->owner_ref_id = 0;
}

/* The owner reference @id was released: every register and stack slot that
 * reached a node through it loses the node.
 */
static void release_owner_ref(struct bpf_verifier_env *env, u32 id)
{
	struct bpf_func_state *state;
	struct bpf_reg_state *reg;

	if (!id)
		return;

	bpf_for_each_reg_in_vstate(env->cur_state, state, reg, ({
		if (reg->owner_ref_id == id) {
			clear_owner_ref(reg);
			mark_reg_invalid(env, reg);
		}
	}));
}

`)],
      ],
    },
  ];
}
