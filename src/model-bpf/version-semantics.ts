import type { KernelVersion } from '../model/kernel-facts.js';

/**
 * Behaviour switches and exact verifier messages per kernel version range, from
 * docs/bpf-semantics.md (§3, §4, §5, §7.2). Ranges: 6.2, 6.3, 6.4–6.7, 6.8–6.12, 6.13–6.15, 6.16+, 7.x.
 */
export interface VersionSemantics {
  range: '6.2' | '6.3' | '6.4-6.7' | '6.8-6.12' | '6.13-6.15' | '6.16+' | '7.x';
  /** v6.2: push keeps the ref with release_on_unlock and marks aliases PTR_UNTRUSTED. */
  releaseOnUnlock: boolean;
  /** v6.3+: push/add convert the node to a non-owning reference. */
  nonOwningRefs: boolean;
  hasRbtree: boolean;
  hasRefcount: boolean;
  /** v6.3: bpf_rbtree_remove invalidates every non-owning ref after the call. */
  removeInvalidatesNonOwning: boolean;
  /** v6.16+: bpf_rbtree_remove accepts an owning reference (ref_obj_id != 0) besides a non-owning one. */
  removeAcceptsRefcountedOwning: boolean;
  /** Sizes (bytes) of the graph types in the uapi header. */
  sizes: Record<string, { size: number; align: number }>;
  /** Which kfuncs may be called while a bpf_spin_lock is held (besides the graph API). */
  lockAllowedKfuncs: Set<string>;
  lockAllowedHelpers: Set<string>;
  /** v7.x allows static subprogram calls under a lock. */
  staticCallsUnderLock: boolean;
  /** Kfunc flags that make an argument "trusted" for the NULL check; 'all' from v7.0. */
  nullCheckFlags: Set<string> | 'all';
  /** Pointer read out of an allocated object (not a kptr): its register type name. */
  ptrWalkType: string;
  /** Register types bpf_kptr_xchg accepts as its destination (v6.10+: also allocated objects). */
  kptrXchgDst: string;
  /** var_off text of an unknown u32 added to a pointer. */
  varOffU32: string;
  msg: {
    spinUnlockMissing: string;
    tracingGraph: string;
    objNewNotStruct: string;
    rbtreeRemoveNonOwning: string;
    leakSuffix: string | null;
    nullArg: string;
    zeroOffRelease: string;
  };
  /** Default BTF_ID_FLAGS of the kfuncs the model knows, when the tree's table is not given. */
  defaultKfuncFlags: Record<string, string[]>;
}

function cmp(v: KernelVersion, major: number, minor: number): number {
  return v.version !== major ? v.version - major : v.patchlevel - minor;
}

export function parseKernelVersion(s: string): KernelVersion {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(s.trim());
  if (!m) throw new Error(`not a kernel version: ${s}`);
  const version = Number(m[1]);
  const patchlevel = Number(m[2]);
  return { version, patchlevel, sublevel: Number(m[3] ?? 0), short: `${version}.${patchlevel}` };
}

const GRAPH_LIST = ['bpf_list_push_front', 'bpf_list_push_back', 'bpf_list_pop_front', 'bpf_list_pop_back'];
const GRAPH_RB = ['bpf_rbtree_add', 'bpf_rbtree_remove', 'bpf_rbtree_first'];

export function versionSemantics(v: KernelVersion): VersionSemantics {
  const ge = (a: number, b: number): boolean => cmp(v, a, b) >= 0;
  const range: VersionSemantics['range'] = ge(7, 0)
    ? '7.x'
    : ge(6, 16)
      ? '6.16+'
      : ge(6, 13)
        ? '6.13-6.15'
        : ge(6, 8)
          ? '6.8-6.12'
          : ge(6, 4)
            ? '6.4-6.7'
            : ge(6, 3)
              ? '6.3'
              : '6.2';
  const owner = ge(6, 4); // bpf_{list,rb}_node gained the owner field (refcount series, v6.4)
  const lockKfuncs = new Set<string>([...GRAPH_LIST]);
  if (ge(6, 3)) GRAPH_RB.forEach((k) => lockKfuncs.add(k));
  if (ge(6, 4)) lockKfuncs.add('bpf_refcount_acquire');
  if (ge(6, 16)) ['bpf_list_front', 'bpf_list_back', 'bpf_rbtree_root', 'bpf_rbtree_left', 'bpf_rbtree_right'].forEach((k) => lockKfuncs.add(k));
  if (ge(7, 0)) ['bpf_iter_num_new', 'bpf_iter_num_next', 'bpf_iter_num_destroy'].forEach((k) => lockKfuncs.add(k));
  const helpers = new Set(['bpf_spin_unlock']);
  if (ge(7, 0)) helpers.add('bpf_kptr_xchg');

  const flags: Record<string, string[]> = {
    bpf_obj_new: ['KF_ACQUIRE', 'KF_RET_NULL'],
    bpf_obj_drop: ['KF_RELEASE'],
    bpf_list_push_front: [],
    bpf_list_push_back: [],
    bpf_list_pop_front: ['KF_ACQUIRE', 'KF_RET_NULL'],
    bpf_list_pop_back: ['KF_ACQUIRE', 'KF_RET_NULL'],
    bpf_rcu_read_lock: [],
    bpf_rcu_read_unlock: [],
  };
  if (ge(6, 3)) {
    flags.bpf_rbtree_add = [];
    flags.bpf_rbtree_first = ['KF_RET_NULL'];
    flags.bpf_rbtree_remove = ge(6, 4) ? ['KF_ACQUIRE', 'KF_RET_NULL'] : ['KF_ACQUIRE'];
  }
  if (ge(6, 4)) {
    flags.bpf_refcount_acquire = ['KF_ACQUIRE', 'KF_RET_NULL', 'KF_RCU'];
    flags.bpf_percpu_obj_new = ['KF_ACQUIRE', 'KF_RET_NULL'];
    flags.bpf_percpu_obj_drop = ['KF_RELEASE'];
  }
  if (ge(6, 16)) {
    for (const k of ['bpf_list_front', 'bpf_list_back', 'bpf_rbtree_root', 'bpf_rbtree_left', 'bpf_rbtree_right']) flags[k] = ['KF_RET_NULL'];
  }

  return {
    range,
    releaseOnUnlock: !ge(6, 3),
    nonOwningRefs: ge(6, 3),
    hasRbtree: ge(6, 3),
    hasRefcount: ge(6, 4),
    removeInvalidatesNonOwning: range === '6.3',
    removeAcceptsRefcountedOwning: ge(6, 16),
    sizes: {
      bpf_list_head: { size: 16, align: 8 },
      bpf_list_node: { size: owner ? 24 : 16, align: 8 },
      bpf_rb_root: { size: 16, align: 8 },
      bpf_rb_node: { size: owner ? 32 : 24, align: 8 },
      bpf_spin_lock: { size: 4, align: 4 },
      bpf_res_spin_lock: { size: 8, align: 4 },
      bpf_refcount: { size: 4, align: 4 },
      bpf_timer: { size: 16, align: 8 },
      bpf_wq: { size: 16, align: 8 },
    },
    lockAllowedKfuncs: lockKfuncs,
    lockAllowedHelpers: helpers,
    staticCallsUnderLock: ge(7, 0),
    nullCheckFlags: ge(7, 0) ? 'all' : ge(6, 4) ? new Set(['KF_TRUSTED_ARGS', 'KF_RELEASE', 'KF_RCU']) : ge(6, 3) ? new Set(['KF_TRUSTED_ARGS']) : new Set(),
    ptrWalkType: ge(7, 0) ? 'rdonly_untrusted_mem' : 'scalar',
    kptrXchgDst: ge(6, 10) ? 'map_value, ptr_, ptr_' : 'map_value',
    varOffU32: ge(7, 0) ? '(0x0; 0x1ffffffff)' : '(0x0; 0xffffffff)',
    msg: {
      spinUnlockMissing: ge(7, 0)
        ? 'BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region'
        : ge(6, 13)
          ? 'BPF_EXIT instruction cannot be used inside bpf_spin_lock-ed region'
          : 'bpf_spin_unlock is missing',
      tracingGraph: ge(6, 3) ? 'tracing progs cannot use bpf_{list_head,rb_root} yet' : 'tracing progs cannot use bpf_list_head yet',
      objNewNotStruct: ge(6, 6) ? 'bpf_obj_new/bpf_percpu_obj_new type ID argument must be of a struct' : 'bpf_obj_new type ID argument must be of a struct',
      rbtreeRemoveNonOwning: ge(6, 16)
        ? 'bpf_rbtree_remove can only take non-owning or refcounted bpf_rb_node pointer'
        : 'rbtree_remove node input must be non-owning ref',
      leakSuffix: ge(6, 13) ? 'BPF_EXIT would lead to reference leak' : null,
      nullArg: 'Possibly NULL pointer passed to trusted arg%d',
      zeroOffRelease:
        range === '6.3'
          ? 'R%d must have zero offset when passed to release func'
          : 'R%d must have zero offset when passed to release func or trusted arg to kfunc',
    },
    defaultKfuncFlags: flags,
  };
}
