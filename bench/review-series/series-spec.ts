/** The 13-patch series: subjects, bodies and the edits of each, worked out from the tree. */
import { specKfuncs } from './spec-kfuncs.js';
import { specVerifier } from './spec-verifier.js';
import { specUapiSelftests } from './spec-uapi-selftests.js';
import type { Edit } from './edits.js';

export interface SeriesPatchSpec {
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

/** What the patches of the series need to know about the tree, worked out once. */
export interface SpecContext {
  read: (p: string) => string | null;
  /** the first free KF_* bit */
  bit: number;
  verifierHasKfuncCall: boolean;
  setEnd: RegExp;
  defsEnd: RegExp;
  setStart: RegExp;
  uapiFlag: string;
  uapiDoc: string;
  verbosesRe: RegExp;
}

export function seriesSpec(read: (p: string) => string | null): SeriesPatchSpec[] {
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

  const ctx: SpecContext = { read, bit, verifierHasKfuncCall, setEnd, defsEnd, setStart, uapiFlag, uapiDoc, verbosesRe };
  return [...specKfuncs(ctx), ...specVerifier(ctx), ...specUapiSelftests(ctx)];
}
