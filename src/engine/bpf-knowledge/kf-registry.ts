/**
 * The KF_* flag registry per kernel version (docs/bpf-semantics.md §1.1, §1.3, §7.1 "Registry").
 * Data, plus small queries the kfunc-flag rules share. Boundaries for v6.4 and later come from
 * bpf-next merge dates (±1 release); v6.2, v6.3, v6.8 and v7.1 are exact.
 */
import type { KernelVersion } from '../../model/kernel-facts.js';

export interface FlagHistory {
  name: string;
  bit: number;
  /** First release that has it ([major, minor]); [0, 0] = before any version we care about. */
  since: [number, number];
  /** First release that no longer has it. */
  removedIn: [number, number] | null;
  /** How it was removed or added, for messages. */
  note: string;
}

export const FLAG_HISTORY: readonly FlagHistory[] = [
  { name: 'KF_ACQUIRE', bit: 0, since: [0, 0], removedIn: null, note: '' },
  { name: 'KF_RELEASE', bit: 1, since: [0, 0], removedIn: null, note: '' },
  { name: 'KF_RET_NULL', bit: 2, since: [0, 0], removedIn: null, note: '' },
  { name: 'KF_KPTR_GET', bit: 3, since: [0, 0], removedIn: [6, 4], note: 'removed in v6.4 by 7b4ddf3920d2 ("bpf: Remove KF_KPTR_GET kfunc flag")' },
  { name: 'KF_TRUSTED_ARGS', bit: 4, since: [0, 0], removedIn: [7, 0], note: 'removed in the v7.0 cycle (1a5c01d2508a "Make KF_TRUSTED_ARGS the default", 7646c7afd9a9); trusted arguments are now the default' },
  { name: 'KF_SLEEPABLE', bit: 5, since: [0, 0], removedIn: null, note: '' },
  { name: 'KF_DESTRUCTIVE', bit: 6, since: [0, 0], removedIn: null, note: '' },
  { name: 'KF_RCU', bit: 7, since: [6, 2], removedIn: null, note: '' },
  { name: 'KF_ITER_NEW', bit: 8, since: [6, 4], removedIn: null, note: 'added with open-coded iterators (v6.4 cycle)' },
  { name: 'KF_ITER_NEXT', bit: 9, since: [6, 4], removedIn: null, note: 'added with open-coded iterators (v6.4 cycle)' },
  { name: 'KF_ITER_DESTROY', bit: 10, since: [6, 4], removedIn: null, note: 'added with open-coded iterators (v6.4 cycle)' },
  { name: 'KF_RCU_PROTECTED', bit: 11, since: [6, 7], removedIn: null, note: 'added around v6.7' },
  { name: 'KF_FASTCALL', bit: 12, since: [6, 13], removedIn: null, note: 'added around v6.13' },
  { name: 'KF_ARENA_RET', bit: 13, since: [6, 15], removedIn: null, note: 'added around v6.15' },
  { name: 'KF_ARENA_ARG1', bit: 14, since: [6, 15], removedIn: null, note: 'added around v6.15' },
  { name: 'KF_ARENA_ARG2', bit: 15, since: [6, 15], removedIn: null, note: 'added around v6.15' },
  { name: 'KF_IMPLICIT_ARGS', bit: 16, since: [7, 0], removedIn: null, note: 'added in the v7.0 cycle' },
  { name: 'KF_SPINLOCK_SAFE', bit: 17, since: [7, 2], removedIn: null, note: 'bpf-next 2026 (ed3b3093b624)' },
  { name: 'KF_PERFMON', bit: 18, since: [7, 2], removedIn: null, note: 'bpf tree 2026 (88ce88e933e4)' },
];

/** Names that never reached a release (§1.3), with why. */
export const NEVER_MERGED: Readonly<Record<string, { bit: number; why: string }>> = {
  KF_RELEASE_NON_OWN: {
    bit: 8,
    why: 'when it was proposed in "[PATCH v2 bpf-next 02/13] bpf: Migrate release_on_unlock logic to non-owning ref semantics" (Dec 2022) the reviewers turned it down, and the v6.3 design that was merged special-cases the graph kfuncs by BTF id in special_kfunc_list instead',
  },
  KF_INVALIDATE_NON_OWN: {
    bit: 9,
    why: 'when it was proposed in the Dec 2022 non-owning ref series the reviewers turned it down, and the v6.3 design that was merged special-cases bpf_rbtree_remove by BTF id instead',
  },
};

/** Documented in kfuncs.rst but never defined in btf.h. */
export const DOC_ONLY: readonly string[] = ['KF_DEPRECATED'];

/** Names from pending forks, with the merged equivalent. */
export const PENDING_FORK: Readonly<Record<string, string>> = { KF_SPIN_LOCK: 'KF_SPINLOCK_SAFE' };

/** Bits other tools hard-code (§1.4). */
export const HARDCODED_BITS: Readonly<Record<number, string>> = {
  12: 'pahole btf_encoder.c, tools/bpf/resolve_btfids/main.c, selftests/bpf/prog_tests/resolve_btfids.c',
  13: 'pahole btf_encoder.c, tools/bpf/resolve_btfids/main.c',
  14: 'pahole btf_encoder.c, tools/bpf/resolve_btfids/main.c',
  15: 'pahole btf_encoder.c, tools/bpf/resolve_btfids/main.c',
  16: 'tools/bpf/resolve_btfids/main.c',
};

export const ITER_FLAGS = ['KF_ITER_NEW', 'KF_ITER_NEXT', 'KF_ITER_DESTROY'] as const;
export const ARENA_FLAGS = ['KF_ARENA_RET', 'KF_ARENA_ARG1', 'KF_ARENA_ARG2'] as const;
/** Flags that say "callable in an atomic (spin-locked) region". */
export const SPINLOCK_SAFE_FLAGS = ['KF_SPINLOCK_SAFE', 'KF_SPIN_LOCK'] as const;

/** KF_ACQUIRE kfuncs the verifier lets return a non-struct pointer (check_kfunc_call). */
export const ACQUIRE_RETURN_EXEMPT: readonly string[] = [
  'bpf_obj_new_impl', 'bpf_obj_new', 'bpf_percpu_obj_new_impl', 'bpf_percpu_obj_new',
  'bpf_refcount_acquire_impl', 'bpf_refcount_acquire',
];

/** The graph (list / rbtree) kfuncs the verifier special-cases by BTF id (v6.3+ design). */
export function isGraphKfunc(name: string): boolean {
  return /^bpf_(list|rbtree)_\w+$/.test(name) || /^bpf_refcount_acquire(_impl)?$/.test(name);
}

function cmp(v: KernelVersion, at: [number, number]): number {
  return v.version !== at[0] ? v.version - at[0] : v.patchlevel - at[1];
}

export function versionAtLeast(v: KernelVersion | null, major: number, minor: number): boolean | null {
  if (!v) return null;
  return cmp(v, [major, minor]) >= 0;
}

/** The flags defined in btf.h at version v. */
export function flagsAt(v: KernelVersion): FlagHistory[] {
  return FLAG_HISTORY.filter((f) => cmp(v, f.since) >= 0 && (f.removedIn === null || cmp(v, f.removedIn) < 0));
}

export function historyOf(name: string): FlagHistory | null {
  return FLAG_HISTORY.find((f) => f.name === name) ?? null;
}

export type FlagStatus =
  | { kind: 'defined' }
  | { kind: 'removed'; note: string }
  | { kind: 'not-yet'; note: string }
  | { kind: 'never-merged'; why: string }
  | { kind: 'doc-only' }
  | { kind: 'pending-fork'; merged: string }
  | { kind: 'unknown' };

/** What the registry says about a flag name at version v (null = version unknown: only the version-free facts). */
export function flagStatus(name: string, v: KernelVersion | null): FlagStatus {
  const nm = NEVER_MERGED[name];
  if (nm) return { kind: 'never-merged', why: nm.why };
  if (DOC_ONLY.includes(name)) return { kind: 'doc-only' };
  const fork = PENDING_FORK[name];
  if (fork) return { kind: 'pending-fork', merged: fork };
  const h = historyOf(name);
  if (!h) return { kind: 'unknown' };
  if (!v) return { kind: 'defined' };
  if (h.removedIn && cmp(v, h.removedIn) >= 0) return { kind: 'removed', note: h.note };
  if (cmp(v, h.since) < 0) return { kind: 'not-yet', note: h.note };
  return { kind: 'defined' };
}

/** The lowest bit not used by any flag in `used`. */
export function lowestFreeBit(used: Iterable<number>): number {
  const s = new Set(used);
  let b = 0;
  while (s.has(b)) b++;
  return b;
}

/** "v6.2" */
export function versionLabel(v: KernelVersion | null): string {
  return v ? `v${v.short}` : 'this tree';
}
