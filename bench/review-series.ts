/**
 * Benchmark: the whole review of a 13-patch BPF series against a real kernel tree, beside
 * scripts/checkpatch.pl of the same tree over the same patches (the check every kernel developer
 * already runs). Target: the full review of the series under 1 s, and faster than checkpatch.
 *
 *   npx tsc -p . && node dist/bench/review-series.js [--tree BAREGITDIR] [--runs N] [--keep]
 *
 * --tree: a kernel git repository (a fetched bare mirror); default the 6.3.8 mirror in
 * /work/.mirror when present, else the shipped example tree (a plain directory, put into a temp
 * repository first). --runs: measurements of each kind (default 5). --keep: leave the temp dir.
 *
 * What it does, all in a temp dir that is removed at the end (nothing is committed anywhere):
 *  1. builds a 13-patch series that applies to the tree: a `git clone --shared --no-checkout`
 *     of the repository with a sparse checkout of only the BPF directories edited, 13 commits of
 *     text written here (a KF_* flag, kfuncs and BTF_ID_FLAGS lines, a bpf_reg_state member,
 *     verifier checks and reworded messages, UAPI headers and their tools/ copy, libbpf, graph
 *     selftests and a prog_tests file; 1 to ~280 changed lines a patch, ~1,350 in all), then
 *     `git format-patch --cover-letter --thread --base=HEAD -13`; the review must find no
 *     patch-does-not-apply error, or the benchmark fails;
 *  2. measures, each --runs times: `bpf-review review MBOX --tree TREE --format json` as a
 *     process, cold (no cache: full extraction of the base tree) and warm (--cache DIR primed by
 *     one run); reviewSources() in this process with the primed disk cache; the daemon's case
 *     (tree opened once, parser loaded, facts of the base in memory: ingest + reviewSeries);
 *     and checkpatch.pl of the same tree (`perl scripts/checkpatch.pl --no-tree` over the 13
 *     patch files in one invocation, and once per patch). --no-tree because nothing is checked
 *     out: checkpatch then also skips its `git` lookups of commit ids (with a checkout it does
 *     more work, so this is checkpatch's cheaper case);
 *  3. prints median and min wall time of each, the ratios checkpatch / review, findings of
 *     both tools, peak RSS of the review process and the load average.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** bench/ in the sources, dist/bench/ when built */
const projectRoot = here.split('/').includes('dist') ? resolve(here, '..', '..') : resolve(here, '..');
const DEFAULT_MIRROR = '/work/.mirror/SToPire+linux-6.3.8/repo';

const AUTHOR = { name: 'Ada Benchmark', email: 'ada.benchmark@example.org' };
const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: AUTHOR.name, GIT_AUTHOR_EMAIL: AUTHOR.email, GIT_AUTHOR_DATE: '1760000000 +0000',
  GIT_COMMITTER_NAME: AUTHOR.name, GIT_COMMITTER_EMAIL: AUTHOR.email, GIT_COMMITTER_DATE: '1760000000 +0000',
  GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C',
};
for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES']) delete GIT_ENV[k];

/** The directories the series edits: the only ones checked out. */
const SPARSE_DIRS = [
  'kernel/bpf', 'include/linux', 'include/uapi/linux', 'tools/include/uapi/linux',
  'tools/testing/selftests/bpf/progs', 'tools/testing/selftests/bpf/prog_tests', 'tools/lib/bpf',
];

function git(args: string[], cwd: string, input?: string): string {
  const r = spawnSync('git', args, { cwd, env: GIT_ENV, input, maxBuffer: 1 << 30, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} (in ${cwd}): ${r.stderr}`);
  return r.stdout;
}

// ---------------------------------------------------------------------------------------------
// the series: edits written here, applied to whatever the tree has

type Edit = (old: string | null) => string;

/** Insert `block` (whole lines) after the last line matching `re`; at the end when nothing matches. */
function afterLast(re: RegExp, block: string): Edit {
  return (old) => {
    if (old === null) return block;
    const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
    let end = -1;
    for (const m of old.matchAll(g)) end = old.indexOf('\n', m.index) + 1;
    if (end <= 0) return `${old}${old.endsWith('\n') ? '' : '\n'}${block}`;
    return old.slice(0, end) + block + old.slice(end);
  };
}

/** Insert `block` before the first line matching `re` at or after the first match of `after`; at the end when nothing matches. */
function before(re: RegExp, block: string, after?: RegExp): Edit {
  return (old) => {
    if (old === null) return block;
    const from = after ? (after.exec(old)?.index ?? 0) : 0;
    const m = new RegExp(re.source, re.flags.replace('g', '')).exec(old.slice(from));
    if (!m) return `${old}${old.endsWith('\n') ? '' : '\n'}${block}`;
    const at = old.lastIndexOf('\n', from + m.index - 1) + 1;
    return old.slice(0, at) + block + old.slice(at);
  };
}

function append(block: string): Edit {
  return (old) => (old === null ? block : `${old}${old.endsWith('\n') ? '' : '\n'}${block}`);
}

function chain(...edits: Edit[]): Edit {
  return (old) => edits.reduce<string | null>((t, e) => e(t), old) as string;
}

interface SeriesPatchSpec {
  subject: string;
  body: string;
  edits: [string, Edit][];
}

function nextKfBit(btfH: string | null): number {
  let max = 7;
  for (const m of (btfH ?? '').matchAll(/^#define KF_\w+\s+\(1 << (\d+)\)/gm)) max = Math.max(max, Number(m[1]));
  return max + 1;
}

function nextTestFlagBit(uapi: string | null): number {
  let max = 3;
  for (const m of (uapi ?? '').matchAll(/^#define BPF_F_TEST_\w+\s+\(1U << (\d+)\)/gm)) max = Math.max(max, Number(m[1]));
  return max + 1;
}

const SOB = `Signed-off-by: ${AUTHOR.name} <${AUTHOR.email}>`;

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
function rbtreeOwnerProgs(n: number): string {
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
function rbtreeOwnerFailProgs(n: number): string {
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

function rbtreeOwnerProgTests(n: number): string {
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

function linkedListAdditions(n: number): string {
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

/** The 13 patches, written against what the tree has (read through `read`). */
function seriesSpec(read: (p: string) => string | null): SeriesPatchSpec[] {
  const btfH = read('include/linux/btf.h');
  const bit = nextKfBit(btfH);
  const testBit = nextTestFlagBit(read('include/uapi/linux/bpf.h'));
  const verifierHasKfuncCall = /^static int check_kfunc_call\(/m.test(read('kernel/bpf/verifier.c') ?? '');
  const setEnd = /^(BTF_SET8_END|BTF_KFUNCS_END)\(generic_btf_ids\)/m;
  const defsEnd = /^(__diag_pop\(\);|__bpf_kfunc_end_defs\(\);)/m;
  const setStart = /^(BTF_SET8_START|BTF_KFUNCS_START)\(generic_btf_ids\)/m;

  const uapiFlag = `
/* If set, BPF_PROG_TEST_RUN checks that every graph node a program owns at exit
 * was released or handed back to a collection, and fails the run when one was not.
 */
#define BPF_F_TEST_NODE_OWNER	(1U << ${testBit})
/* With BPF_F_TEST_NODE_OWNER: report the owner references still held at exit
 * in the run's log instead of failing the run, so that a test can list them.
 * The log is the one passed in ctx_out; its size must be at least 256 bytes.
 */
#define BPF_F_TEST_NODE_OWNER_LOG	(1U << ${testBit + 1})
`;
  const uapiDoc = `
/* Flags of struct bpf_rb_owner_info, as reported by BPF_OBJ_GET_INFO_BY_FD for a map
 * whose value holds a bpf_rb_root: which owner checks the verifier enforced when the
 * programs using it were loaded.
 */
enum {
	/* the verifier checked the owner references of the map's programs */
	BPF_RB_OWNER_CHECKED	= (1U << 0),
	/* every owner reference was released on every path */
	BPF_RB_OWNER_RELEASED	= (1U << 1),
	/* the programs were loaded with BPF_F_TEST_NODE_OWNER */
	BPF_RB_OWNER_STRICT	= (1U << 2),
	/* some program iterates with bpf_rbtree_owner_next() */
	BPF_RB_OWNER_ITER	= (1U << 3),
	/* some program holds an owner reference across bpf_spin_unlock() */
	BPF_RB_OWNER_UNLOCKED	= (1U << 4),
};

/**
 * struct bpf_rb_owner_info - What the verifier enforced on the owners of a graph.
 * @flags: BPF_RB_OWNER_* flags.
 * @nr_owned: The number of owner references the programs of the map may hold
 *	at the same time, as the verifier counted them.
 * @owner_id: The id of the program that last released an owner reference.
 *
 * Filled by BPF_OBJ_GET_INFO_BY_FD on a map whose value type holds a
 * bpf_rb_root, when the caller passes a buffer of at least this size in
 * info.rb_owner_info. Older kernels leave the buffer untouched; user space
 * tells them apart by BPF_RB_OWNER_CHECKED.
 *
 * The counts are those of the programs loaded at the time of the call: a
 * program loaded later may hold more owner references.
 */
struct bpf_rb_owner_info {
	__u32 flags;
	__u32 nr_owned;
	__u64 owner_id;
	__u64 rb_root_off;	/* offset of the bpf_rb_root in the map value */
	__u32 rb_node_off;	/* offset of the bpf_rb_node in a node */
	__u32 pad;
};
`;
  const verbosesRe = /^(\t+verbose\(env, ")arg#%d([^"\n]*\\n")/gm;

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
    {
      subject: 'bpf: Say "arg %d" rather than "arg#%d" in kfunc argument messages',
      body: `The verifier's kfunc argument messages mix "arg#%d" and "arg %d". Use the
form the rest of the log uses. No functional change.`,
      edits: [
        ['kernel/bpf/verifier.c', (old) => {
          let k = 0;
          const text = (old ?? '').replace(verbosesRe, (all, a: string, b: string) => (k++ < 12 ? `${a}arg %d${b}` : all));
          return k > 0 ? text : `${text}/* kfunc argument messages say "arg %d" */\n`;
        }],
      ],
    },
    {
      subject: 'bpf: Fix a comment in struct bpf_reg_state',
      body: 'The comment names the wrong field. One line, no functional change.',
      edits: [
        ['include/linux/bpf_verifier.h', before(/^\tu32 owner_ref_id;/m, '\t/* see also ref_obj_id above */\n')],
      ],
    },
    {
      subject: 'bpf: Reject KF_NODE_OWNER kfuncs outside a graph lock',
      body: `A node returned by a KF_NODE_OWNER kfunc is only safe to use while the lock
of its collection is held, or through an owner reference. Check it when the
kfunc is called, and tell the program author which lock is missing.

The check runs after the arguments have been checked, so a wrong argument is
still reported as such.`,
      edits: [
        ['kernel/bpf/verifier.c', chain(
          before(/^static int check_kfunc_call\(/m, `/* A KF_NODE_OWNER kfunc returns a node that stays in its collection: the
 * program may use it while it holds the collection's lock, or after taking an
 * owner reference with bpf_rbtree_owner_acquire().
 */
static int check_kfunc_node_owner(struct bpf_verifier_env *env,
				  struct bpf_kfunc_call_arg_meta *meta,
				  int insn_idx)
{
	struct bpf_verifier_state *state = env->cur_state;
	struct bpf_reg_state *regs = cur_regs(env);
	u32 owner_id;
	int i;

	if (!is_kfunc_node_owner(meta))
		return 0;

	if (!state->active_lock.ptr) {
		verbose(env, "%s returns a graph node and must be called with the graph lock held\\n",
			meta->func_name);
		return -EINVAL;
	}

	for (i = BPF_REG_1; i <= BPF_REG_5; i++) {
		struct bpf_reg_state *reg = &regs[i];

		if (reg->type != (PTR_TO_BTF_ID | MEM_ALLOC) && reg->type != PTR_TO_BTF_ID)
			continue;
		if (!reg->owner_ref_id)
			continue;
		if (reg->owner_ref_id == meta->ref_obj_id) {
			verbose(env, "R%d already holds the owner reference id=%d\\n",
				i, reg->owner_ref_id);
			return -EINVAL;
		}
	}

	owner_id = ++env->id_gen;
	for (i = BPF_REG_1; i <= BPF_REG_5; i++) {
		struct bpf_reg_state *reg = &regs[i];

		if (reg->ref_obj_id && reg->ref_obj_id == meta->ref_obj_id)
			reg->owner_ref_id = owner_id;
	}

	if (env->log.level & BPF_LOG_LEVEL2)
		verbose(env, "insn %d: %s: owner reference id=%d\\n",
			insn_idx, meta->func_name, owner_id);
	return 0;
}

/* An argument of a kfunc that takes a node the program holds an owner reference
 * on (bpf_rbtree_owner_release(), bpf_rbtree_owner_next()): the register must
 * carry the reference, and the node must still be the one it was taken on.
 */
static int check_node_owner_arg(struct bpf_verifier_env *env,
				struct bpf_kfunc_call_arg_meta *meta,
				struct bpf_reg_state *reg, u32 regno)
{
	if (!reg->owner_ref_id) {
		verbose(env, "R%d must hold an owner reference for %s\\n",
			regno, meta->func_name);
		return -EINVAL;
	}
	if (reg->off) {
		verbose(env, "R%d owner reference with a non-zero offset %d\\n",
			regno, reg->off);
		return -EINVAL;
	}
	if (!tnum_is_const(reg->var_off) || reg->var_off.value) {
		verbose(env, "R%d owner reference with a variable offset\\n", regno);
		return -EINVAL;
	}
	if (meta->ref_obj_id && meta->ref_obj_id != reg->ref_obj_id) {
		verbose(env, "R%d is not the node the owner reference id=%d was taken on\\n",
			regno, reg->owner_ref_id);
		return -EINVAL;
	}
	meta->ref_obj_id = reg->ref_obj_id;
	return 0;
}

/* How many owner references the current state holds; a program may hold at
 * most BPF_MAX_OWNER_REFS of them at the same time.
 */
#define BPF_MAX_OWNER_REFS 16

static int count_owner_refs(struct bpf_verifier_env *env)
{
	struct bpf_func_state *state;
	struct bpf_reg_state *reg;
	u32 seen[BPF_MAX_OWNER_REFS];
	int i, n = 0;

	bpf_for_each_reg_in_vstate(env->cur_state, state, reg, ({
		if (!reg->owner_ref_id)
			continue;
		for (i = 0; i < n; i++)
			if (seen[i] == reg->owner_ref_id)
				break;
		if (i < n)
			continue;
		if (n == BPF_MAX_OWNER_REFS) {
			verbose(env, "too many owner references, at most %d\\n",
				BPF_MAX_OWNER_REFS);
			return -E2BIG;
		}
		seen[n++] = reg->owner_ref_id;
	}));
	return n;
}

/* At program exit and at bpf_spin_unlock() every node reached without an
 * owner reference goes back to being a non-owning reference; a node held by an
 * owner reference that was never released is a leak.
 */
static int check_owner_refs_at_unlock(struct bpf_verifier_env *env, bool exiting)
{
	struct bpf_func_state *state;
	struct bpf_reg_state *reg;
	int err = 0;

	bpf_for_each_reg_in_vstate(env->cur_state, state, reg, ({
		if (!reg->owner_ref_id)
			continue;
		if (exiting) {
			verbose(env, "owner reference id=%d of a graph node is not released\\n",
				reg->owner_ref_id);
			err = -EINVAL;
			break;
		}
		if (!reg->ref_obj_id)
			clear_owner_ref(reg);
	}));
	return err;
}

`),
          verifierHasKfuncCall
            ? before(/^\tif \(is_kfunc_destructive\(&meta\)/m, `	err = check_kfunc_node_owner(env, &meta, *insn_idx_p);
	if (err)
		return err;

`, /^static int check_kfunc_call\(/m)
            : (t) => t as string,
        )],
      ],
    },
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

interface BuiltSeries {
  mbox: string;
  patchFiles: string[];
  base: string;
  linesPerPatch: number[];
}

/** Clone the tree cheaply, make the 13 commits, format them. */
function buildSeries(gitDir: string, work: string): BuiltSeries {
  const clone = join(work, 'clone');
  git(['clone', '-q', '--shared', '--no-checkout', gitDir, clone], work);
  git(['sparse-checkout', 'set', '--cone', '--sparse-index', ...SPARSE_DIRS], clone);
  git(['checkout', '-q', 'HEAD'], clone);
  const base = git(['rev-parse', 'HEAD'], clone).trim();
  const read = (p: string): string | null => {
    const f = join(clone, p);
    return existsSync(f) ? readFileSync(f, 'utf8') : null;
  };
  const spec = seriesSpec(read);
  if (spec.length !== 13) throw new Error(`the series has ${spec.length} patches, not 13`);
  for (const p of spec) {
    for (const [path, edit] of p.edits) {
      const f = join(clone, path);
      mkdirSync(dirname(f), { recursive: true });
      const old = read(path);
      const next = edit(old);
      if (next === old) throw new Error(`${p.subject}: the edit of ${path} changed nothing`);
      writeFileSync(f, next);
      git(['add', '--sparse', '--', path], clone);
    }
    git(['commit', '-q', '-F', '-'], clone, `${p.subject}\n\n${p.body}\n\n${SOB}\n`);
  }
  const out = join(work, 'patches');
  git(['format-patch', '-q', '--cover-letter', '--thread', `--base=${base}`, '--subject-prefix=PATCH bpf-next', '-o', out, '-13'], clone);
  const files = readdirSync(out).filter((f) => f.endsWith('.patch')).sort();
  const cover = join(out, files[0] as string);
  writeFileSync(cover, readFileSync(cover, 'utf8')
    .replace('*** SUBJECT HERE ***', 'bpf: Owner references for graph nodes')
    .replace('*** BLURB HERE ***', `This series adds KF_NODE_OWNER, a kfunc flag for graph kfuncs that return a
node still in its collection, and a pair of kfuncs to take and drop an owner
reference on such a node. The verifier tracks the reference in bpf_reg_state
and rejects KF_NODE_OWNER calls outside the graph lock. UAPI, libbpf and
selftests follow.`));
  const patchFiles = files.slice(1).map((f) => join(out, f));
  const mbox = join(work, 'series.mbox');
  writeFileSync(mbox, files.map((f) => readFileSync(join(out, f), 'utf8')).join('\n'));
  const stat = git(['log', '--reverse', '--format=%x00', '--numstat', `${base}..HEAD`], clone);
  const linesPerPatch = stat.split('\0').slice(1).map((chunk) => chunk.split('\n').reduce((n, l) => {
    const m = /^(\d+)\t(\d+)\t/.exec(l);
    return m ? n + Number(m[1]) + Number(m[2]) : n;
  }, 0));
  return { mbox, patchFiles, base, linesPerPatch };
}

// ---------------------------------------------------------------------------------------------
// measuring

interface Timed {
  ms: number;
  /** user + system CPU of the process and the processes it waited for (git), when /usr/bin/time is there */
  cpuMs?: number;
  maxRssKB?: number;
  stdout: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Run a command under /usr/bin/time (peak RSS) when present; wall time measured here. */
function runTimed(cmd: string, args: string[], cwd: string, okCodes: number[]): Timed {
  const useTime = existsSync('/usr/bin/time');
  const rssFile = join(tmpdir(), `bench-rss-${process.pid}`);
  const [c, a] = useTime ? ['/usr/bin/time', ['-f', '%M %U %S', '-o', rssFile, cmd, ...args]] : [cmd, args];
  const t0 = performance.now();
  const r = spawnSync(c, a, { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = performance.now() - t0;
  if (r.status === null || !okCodes.includes(r.status)) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  let maxRssKB: number | undefined;
  let cpuMs: number | undefined;
  if (useTime) {
    const [rss, user, sys] = (readFileSync(rssFile, 'utf8').trim().split('\n').pop() ?? '').split(' ').map(Number);
    maxRssKB = rss;
    cpuMs = ((user ?? 0) + (sys ?? 0)) * 1000;
    rmSync(rssFile, { force: true });
  }
  return { ms, cpuMs, maxRssKB, stdout: r.stdout };
}

interface Series {
  label: string;
  times: number[];
  cpu: number[];
  rssKB: number[];
}

function record(s: Series, t: Timed): void {
  s.times.push(t.ms);
  if (t.cpuMs !== undefined) s.cpu.push(t.cpuMs);
  if (t.maxRssKB) s.rssKB.push(t.maxRssKB);
}

function fmtSeries(s: Series): string {
  const rss = s.rssKB.length ? `, peak RSS ${Math.round(median(s.rssKB) / 1024)} MB` : '';
  const cpu = s.cpu.length ? `; CPU median ${median(s.cpu).toFixed(0)} ms` : '';
  return `${s.label}\n    wall median ${median(s.times).toFixed(0).padStart(5)} ms, min ${Math.min(...s.times).toFixed(0).padStart(5)} ms (${s.times.map((t) => t.toFixed(0)).join(' ')})${cpu}${rss}`;
}

interface ReviewJson {
  errors: { code: string; message: string }[];
  totals: { error: number; warning: number; info: number };
  series: { findings: { ruleId: string; severity: string }[]; notRun: string[]; notes: string[] }[];
}

function checkReview(json: ReviewJson): void {
  const bad = json.errors.filter((e) => e.code === 'patch-does-not-apply');
  if (bad.length) throw new Error(`the generated series does not apply: ${bad.map((e) => e.message).join('; ')}`);
  if (json.series.length !== 1) throw new Error(`expected one series in the review, got ${json.series.length}`);
  if (json.series[0]?.notRun.some((n) => /diff-only/.test(n))) throw new Error(`the review ran in diff-only mode: ${json.series[0]?.notRun.join('; ')}`);
}

/** Totals from checkpatch's "total: E errors, W warnings, C checks" lines. */
function checkpatchTotals(out: string): { errors: number; warnings: number; checks: number } {
  const t = { errors: 0, warnings: 0, checks: 0 };
  for (const m of out.matchAll(/^total: (\d+) errors, (\d+) warnings, (?:(\d+) checks, )?\d+ lines checked/gm)) {
    t.errors += Number(m[1]);
    t.warnings += Number(m[2]);
    t.checks += Number(m[3] ?? 0);
  }
  return t;
}

/**
 * The repository to review against and clone: the directory itself when it is a bare repository
 * or the top of a work tree; otherwise (a plain directory such as the shipped example tree, even
 * inside another repository) a temporary repository made of its files.
 */
function repoOf(treeDir: string, work: string): string {
  const probe = (args: string[]): string | null => {
    const r = spawnSync('git', ['rev-parse', ...args], { cwd: treeDir, env: GIT_ENV, encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : null;
  };
  if (probe(['--is-bare-repository']) === 'true' && resolve(probe(['--absolute-git-dir']) ?? '') === treeDir) return treeDir;
  if (resolve(probe(['--show-toplevel']) ?? '/nonexistent') === treeDir) return treeDir;
  const repo = join(work, 'tree-repo');
  git(['init', '-q', repo], work);
  git(['--work-tree', treeDir, 'add', '-A', '-f', '.'], repo);
  git(['commit', '-q', '-m', 'import of the example tree'], repo);
  return repo;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const treeArg = opt('--tree') ?? (existsSync(DEFAULT_MIRROR) ? DEFAULT_MIRROR : join(projectRoot, 'examples', 'tree'));
  const runs = Number(opt('--runs') ?? 5);
  const keep = args.includes('--keep');
  if (!existsSync(treeArg) || !statSync(treeArg).isDirectory()) throw new Error(`no such tree: ${treeArg}`);
  const cli = join(projectRoot, 'bin', 'bpf-review.js');
  if (!existsSync(join(projectRoot, 'dist', 'src', 'pipeline', 'review-sources.js'))) throw new Error('build first: npx tsc -p .');

  const work = mkdtempSync(join(tmpdir(), 'bench-review-series-'));
  const say = (s: string): void => void process.stdout.write(`${s}\n`);
  try {
    const load0 = loadavg();
    const gitDir = repoOf(resolve(treeArg), work);
    let t0 = performance.now();
    const built = buildSeries(gitDir, work);
    const tBuild = performance.now() - t0;
    const total = built.linesPerPatch.reduce((a, b) => a + b, 0);
    say(`tree: ${treeArg}${gitDir === resolve(treeArg) ? '' : ` (as the repository ${gitDir})`} at ${built.base.slice(0, 12)}`);
    say(`series: 13 patches + cover letter, ${total} changed lines (per patch: ${built.linesPerPatch.join(' ')}), ${statSync(built.mbox).size} bytes; built in ${(tBuild / 1000).toFixed(1)} s (not measured)`);
    say(`machine: ${cpus().length} cores, node ${process.version}; load average at start ${load0.map((x) => x.toFixed(2)).join(' ')}`);

    // checkpatch.pl of the same tree
    const cp = join(work, 'checkpatch');
    mkdirSync(join(cp, 'scripts'), { recursive: true });
    for (const p of ['scripts/checkpatch.pl', 'scripts/spelling.txt', 'scripts/const_structs.checkpatch', '.checkpatch.conf']) {
      const r = spawnSync('git', ['-C', gitDir, 'show', `HEAD:${p}`], { env: GIT_ENV, maxBuffer: 1 << 28 });
      if (r.status === 0) writeFileSync(join(cp, p), r.stdout);
      else if (p === 'scripts/checkpatch.pl') say('checkpatch: the tree has no scripts/checkpatch.pl: not measured');
    }
    const haveCheckpatch = existsSync(join(cp, 'scripts', 'checkpatch.pl'));

    const reviewArgs = (extra: string[]): string[] => [cli, 'review', built.mbox, '--tree', gitDir, '--format', 'json', ...extra];
    // exit 1 = errors found, which is a result, not a failure
    const first = runTimed(process.execPath, reviewArgs([]), projectRoot, [0, 1]);
    const firstJson = JSON.parse(first.stdout) as ReviewJson;
    checkReview(firstJson);

    const cacheDir = join(work, 'facts-cache');
    runTimed(process.execPath, reviewArgs(['--cache', cacheDir]), projectRoot, [0, 1]); // primes the cache

    const cold: Series = { label: 'bpf-review review, process, cold (no cache: full extraction of the base)', times: [], cpu: [], rssKB: [] };
    const warm: Series = { label: 'bpf-review review, process, warm (--cache primed)', times: [], cpu: [], rssKB: [] };
    const cpAll: Series = { label: 'checkpatch.pl --no-tree, the 13 files in one run', times: [], cpu: [], rssKB: [] };
    const cpEach: Series = { label: 'checkpatch.pl --no-tree, once per patch (13 runs, summed)', times: [], cpu: [], rssKB: [] };
    let cpOut = '';
    let warmJson: ReviewJson | null = null;
    // interleaved, so that a change of load hits every kind alike
    for (let i = 0; i < runs; i++) {
      const c = runTimed(process.execPath, reviewArgs([]), projectRoot, [0, 1]);
      record(cold, c);
      const w = runTimed(process.execPath, reviewArgs(['--cache', cacheDir]), projectRoot, [0, 1]);
      record(warm, w);
      warmJson = JSON.parse(w.stdout) as ReviewJson;
      checkReview(warmJson);
      if (haveCheckpatch) {
        const a = runTimed('perl', ['scripts/checkpatch.pl', '--no-tree', ...built.patchFiles], cp, [0, 1]);
        record(cpAll, a);
        cpOut = a.stdout;
        let sum = 0;
        let sumCpu = 0;
        for (const f of built.patchFiles) {
          const one = runTimed('perl', ['scripts/checkpatch.pl', '--no-tree', f], cp, [0, 1]);
          sum += one.ms;
          sumCpu += one.cpuMs ?? 0;
        }
        cpEach.times.push(sum);
        if (sumCpu) cpEach.cpu.push(sumCpu);
      }
    }

    // in this process: reviewSources with the primed disk cache, and the daemon's case
    const { reviewSources } = await import('../src/pipeline/review-sources.js');
    const { ingest } = await import('../src/ingest/ingest.js');
    const { reviewSeries } = await import('../src/pipeline/review-series.js');
    const { openKernelTree } = await import('../src/kernel/kernel-tree.js');
    const { memoryFactsCache } = await import('../src/kernel/series-facts.js');
    const { loadCParser } = await import('../src/kernel/c-parser.js');
    const inproc: Series = { label: 'review in process: reviewSources() with the primed disk cache (CPU: this process, not git)', times: [], cpu: [], rssKB: [] };
    await reviewSources([built.mbox], { tree: gitDir, cacheDir }); // loads the parser and the modules
    for (let i = 0; i < runs; i++) {
      t0 = performance.now();
      const c0 = process.cpuUsage();
      const run = await reviewSources([built.mbox], { tree: gitDir, cacheDir });
      inproc.times.push(performance.now() - t0);
      const c1 = process.cpuUsage(c0);
      inproc.cpu.push((c1.user + c1.system) / 1000);
      if (run.reviewed[0]?.review.errors.some((e) => e.code === 'patch-does-not-apply')) throw new Error('in-process review: the series does not apply');
    }
    const daemon: Series = { label: 'review in process, as the daemon: ingest + reviewSeries (tree open, parser loaded, base facts in memory)', times: [], cpu: [], rssKB: [] };
    const tree = await openKernelTree(gitDir);
    try {
      const parser = await loadCParser();
      const factsCache = memoryFactsCache();
      for (let i = 0; i <= runs; i++) {
        t0 = performance.now();
        const c0 = process.cpuUsage();
        const ing = await ingest([built.mbox]);
        for (const s of ing.series) await reviewSeries(s, { messages: ing.messagesById, tree, parser, factsCache });
        const c1 = process.cpuUsage(c0);
        if (i > 0) { // the first fills the cache
          daemon.times.push(performance.now() - t0);
          daemon.cpu.push((c1.user + c1.system) / 1000);
        }
      }
    } finally {
      await tree.close();
    }
    // the trees the review applies the series into must be git's: compare the last one with the clone's HEAD
    const { applySeries, runGit } = await import('../src/kernel/kernel-tree.js');
    const check = await openKernelTree(gitDir);
    try {
      const patches = built.patchFiles.map((f, i) => {
        const t = readFileSync(f, 'utf8');
        return { counter: i + 1, diffText: t.slice(t.indexOf('\ndiff --git ') + 1, t.lastIndexOf('\n-- \n') + 1) };
      });
      const applied = await applySeries(check, patches, built.base);
      const ours = applied.final ? (await runGit(['rev-parse', `${applied.final}^{tree}`], { cwd: check.gitDir, env: check.env })).stdout.toString().trim() : '(none)';
      const theirs = git(['rev-parse', 'HEAD^{tree}'], join(work, 'clone')).trim();
      if (ours !== theirs) throw new Error(`the review's tree after the series ${ours} is not git's ${theirs}`);
      say(`applied tree after patch 13 equals git's (${ours.slice(0, 12)}), fast path: ${applied.patches.every((p) => p.changed) ? 'yes' : 'no'}`);
    } finally {
      await check.close();
    }
    const load1 = loadavg();

    say('');
    for (const s of [cold, warm, inproc, daemon]) say(fmtSeries(s));
    if (haveCheckpatch) for (const s of [cpAll, cpEach]) say(fmtSeries(s));
    say('');
    const j = warmJson ?? firstJson;
    const rules = new Map<string, number>();
    for (const f of j.series.flatMap((s) => s.findings)) rules.set(f.ruleId, (rules.get(f.ruleId) ?? 0) + 1);
    say(`bpf-review findings: ${j.totals.error} errors, ${j.totals.warning} warnings, ${j.totals.info} info (${[...rules].map(([r, n]) => `${r} ${n}`).join(', ')})`);
    if (haveCheckpatch) {
      const t = checkpatchTotals(cpOut);
      say(`checkpatch findings: ${t.errors} errors, ${t.warnings} warnings, ${t.checks} checks (default options, --no-tree)`);
      const ratio = (s: Series): string => (median(cpAll.times) / median(s.times)).toFixed(2);
      say(`ratio checkpatch (13 files, one run) / review, wall: cold ${ratio(cold)}, warm ${ratio(warm)}, in process ${ratio(inproc)}, daemon ${ratio(daemon)}  (> 1: the review is faster)`);
      if (cpAll.cpu.length && warm.cpu.length) {
        const cr = (x: Series): string => (median(cpAll.cpu) / median(x.cpu)).toFixed(2);
        say(`ratio checkpatch / review, CPU (steadier on a shared machine): cold ${cr(cold)}, warm ${cr(warm)}, daemon ${cr(daemon)} (the daemon's without its git children)`);
      }
    }
    const target = median(warm.times) < 1000;
    say(`target: full review under 1 s warm: ${target ? 'met' : 'NOT met'} (${median(warm.times).toFixed(0)} ms); faster than checkpatch: ${haveCheckpatch ? (median(warm.times) < median(cpAll.times) ? 'yes' : 'no') : 'n/a'} warm, ${haveCheckpatch ? (median(cold.times) < median(cpAll.times) ? 'yes' : 'no') : 'n/a'} cold`);
    say(`load average at end ${load1.map((x) => x.toFixed(2)).join(' ')}`);
    if (keep) say(`kept: ${work}`);
  } finally {
    if (!keep) rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
