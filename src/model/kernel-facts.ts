/**
 * What the bot knows about a kernel tree (base or patched): the contract between
 * src/kernel (which extracts it), src/model-bpf (which interprets selftests with it)
 * and rules/ (which check patches against it).
 */

/** Where something is in the tree. Lines are 1-based. */
export interface TreeLoc {
  file: string;
  line: number;
}

export interface KernelVersion {
  version: number;
  patchlevel: number;
  sublevel: number;
  /** "6.2" */
  short: string;
}

/** `#define KF_X (1 << n)` in include/linux/btf.h */
export interface KfFlagDef extends TreeLoc {
  name: string;
  /** n, or null when the value is not of the (1 << n) form */
  bit: number | null;
  /** The literal value text ("(1 << 3)") */
  value: string;
  /** Trailing or preceding comment text, without comment markers. */
  comment: string;
}

/** One `BTF_ID_FLAGS(func, name, FLAGS...)` line. */
export interface KfuncEntry extends TreeLoc {
  name: string;
  flags: string[];
  /** The set it is in (BTF_SET8_START(x) / BTF_KFUNCS_START(x)), null if outside any set. */
  set: string | null;
  /** BTF_KFUNCS_START (true) or BTF_SET8_START (false) */
  kfuncsSet: boolean;
  /** Program types from register_btf_kfunc_id_set(BPF_PROG_TYPE_X, &desc) where desc.set is this set. */
  progTypes: string[];
  /** Enclosing #if/#ifdef conditions, outermost first ("CONFIG_NET"). */
  conditions: string[];
  /** Prototype of the definition when found ("struct task_struct *bpf_task_acquire(struct task_struct *p)"), else null. */
  prototype: string | null;
  /** Set when the row comes from an X-macro list (`XDP_METADATA_KFUNC_xxx`): the list's name. Several rows then share `line`. */
  viaMacro?: string;
}

export interface KfuncParam {
  name: string;
  /** The C type text, normalised spacing ("struct bpf_list_head *") */
  type: string;
  isPointer: boolean;
  /** __sz, __szk, __k, __opt, __nullable, __uninit, __str, __ign, __refcounted_kptr, __map, __prog ... (with the leading __) */
  suffix: string | null;
}

/** A kfunc definition (`__bpf_kfunc` function, or a plain function registered as a kfunc). */
export interface KfuncDef extends TreeLoc {
  name: string;
  returnType: string;
  returnsPointer: boolean;
  /** returns a pointer to a struct ("struct foo *") */
  returnsStructPointer: boolean;
  returnsVoid: boolean;
  params: KfuncParam[];
  isStatic: boolean;
  hasBpfKfuncAnnotation: boolean;
  /** Inside __bpf_kfunc_start_defs() ... __bpf_kfunc_end_defs(); null when the tree has no such markers in that file */
  insideKfuncDefs: boolean | null;
  prototype: string;
}

export interface StructMember extends TreeLoc {
  name: string;
  type: string;
}

export interface StructFacts extends TreeLoc {
  name: string;
  members: StructMember[];
}

/** Which members a verifier function reads (e.g. regsafe reads rold->id via check_ids). */
export interface FunctionReads extends TreeLoc {
  name: string;
  /** member names accessed as x->m or x.m anywhere in the body */
  membersRead: string[];
  /** member names passed through check_ids()/check_scalar_ids() */
  idsChecked: string[];
  /** functions it calls */
  calls: string[];
  /** members named in offsetof(struct x, m) inside the body (memcmp up to a member compares all before it) */
  offsetofMembers?: string[];
}

export interface EnumFacts extends TreeLoc {
  name: string;
  members: { name: string; value: string | null; line: number; /** the raw source line */ text?: string }[];
}

/** A BTF_SET8_START / BTF_KFUNCS_START ... _END block. */
export interface KfuncSetFacts extends TreeLoc {
  name: string;
  kfuncsSet: boolean;
  endLine: number | null;
  conditions: string[];
}

/** `struct btf_kfunc_id_set NAME = { .set = &SET, .filter = F }` */
export interface KfuncDescriptorFacts extends TreeLoc {
  name: string;
  set: string | null;
  filter: string | null;
}

/** `register_btf_kfunc_id_set(PROG_TYPE, &DESC)` */
export interface KfuncRegistrationFacts extends TreeLoc {
  progType: string;
  descriptor: string;
  conditions: string[];
}

/**
 * A list of kfuncs the verifier special-cases: `special_kfunc_list` itself (BTF_ID_LIST) and
 * the predicates over it (is_bpf_list_api_kfunc, is_bpf_graph_api_kfunc, ...).
 */
export interface KfuncListFacts extends TreeLoc {
  name: string;
  /** kfunc names (special_kfunc_list[KF_x] -> x) */
  kfuncs: string[];
  /** other predicates it calls (is_bpf_list_api_kfunc ...) */
  calls: string[];
}

export type Verdict = 'accept' | 'reject';

/** One BPF selftest program (a SEC() function in tools/testing/selftests/bpf/progs). */
export interface SelftestProgram extends TreeLoc {
  name: string;
  section: string;
  /** __success, __failure, __msg("..."), __retval(n), __description("...") ... in order */
  annotations: { name: string; arg: string | null }[];
  /** From __success/__failure, or from a prog_tests table; null when it says nothing */
  expected: { verdict: Verdict; messages: string[]; source: 'annotation' | 'table' } | null;
}

/** `{"name", "message"}` rows of prog_tests/*.c expected-failure tables. */
export interface ExpectedFailureRow extends TreeLoc {
  table: string;
  program: string;
  message: string;
}

export interface TreeFacts {
  version: KernelVersion | null;
  flags: KfFlagDef[];
  kfuncs: KfuncEntry[];
  definitions: KfuncDef[];
  /** Names from `BTF_ID_LIST(special_kfunc_list)` / `BTF_SET_START(special_kfunc_set)` etc. */
  specialKfuncs: string[];
  structs: StructFacts[];
  enums: EnumFacts[];
  /** regsafe, states_equal, func_states_equal, stacksafe, refsafe, check_ids ... */
  verifierFunctions: FunctionReads[];
  selftests: SelftestProgram[];
  expectedFailures: ExpectedFailureRow[];
  /** Sections (titles) of Documentation/bpf/kfuncs.rst, and the flag names each mentions */
  kfuncsDoc: { title: string; line: number; flagsMentioned: string[] }[];
  /** BTF_SET8_START/BTF_KFUNCS_START blocks, descriptors and registrations (how progTypes were derived). */
  kfuncSets?: KfuncSetFacts[];
  kfuncDescriptors?: KfuncDescriptorFacts[];
  kfuncRegistrations?: KfuncRegistrationFacts[];
  /** special_kfunc_list and the verifier's graph-API predicates */
  kfuncLists?: KfuncListFacts[];
  /** Paths the facts were read from (for reports and incremental updates). */
  filesRead?: string[];
}

export interface FactsDiff {
  kfuncsAdded: KfuncEntry[];
  kfuncsRemoved: KfuncEntry[];
  flagsChanged: { name: string; before: string[]; after: string[]; loc: TreeLoc }[];
  flagDefsAdded: KfFlagDef[];
  flagDefsRemoved: KfFlagDef[];
  flagDefsRenumbered: { name: string; before: number | null; after: number | null; loc: TreeLoc }[];
  structMembersAdded: { struct: string; member: StructMember }[];
  structMembersRemoved?: { struct: string; member: StructMember }[];
  selftestsAdded: SelftestProgram[];
  selftestsChanged: { before: SelftestProgram; after: SelftestProgram }[];
  selftestsRemoved: SelftestProgram[];
  /** kfuncs.rst sections added / removed (by title). */
  kfuncsDocAdded?: { title: string; line: number; flagsMentioned: string[] }[];
  kfuncsDocRemoved?: { title: string; line: number; flagsMentioned: string[] }[];
}
