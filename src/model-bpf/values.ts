import type { CType } from './ctypes.js';

/** Where a pointer points. */
export type PtrKind =
  /** PTR_TO_BTF_ID | MEM_ALLOC: an object from bpf_obj_new / pop / remove / refcount_acquire */
  | 'alloc'
  /** PTR_TO_MAP_VALUE of a map lookup */
  | 'mapval'
  /** PTR_TO_MAP_VALUE of a global data section (.bss/.data) */
  | 'global'
  /** a map pointer (map-in-map lookup result) */
  | 'mapptr'
  | 'ctx'
  | 'stack'
  /** PTR_TO_BTF_ID of a kernel type */
  | 'btf'
  | 'percpu';

export interface PtrVal {
  t: 'ptr';
  kind: PtrKind;
  /** struct of the object (alloc, btf), value type (mapval), section (global), inner map (mapptr) */
  obj: string;
  /** map whose value this is (mapval); lock identity */
  map?: string;
  off: number;
  varOff: boolean;
  maybeNull: boolean;
  /** reg->id (NULL-check and lock identity) */
  id: number;
  /** ref_obj_id: 0 when not referenced */
  refId: number;
  /** NON_OWN_REF */
  nonOwn: boolean;
  /** v6.2: PTR_UNTRUSTED after push */
  untrusted: boolean;
}

export type Val =
  | { t: 'scalar'; v: number | null; typeRef?: string; regType?: string; varOff?: boolean }
  | PtrVal
  | { t: 'func'; name: string }
  | { t: 'map'; name: string }
  | { t: 'array'; elems: Val[] };

export const UNKNOWN: Val = { t: 'scalar', v: null };
export const scalar = (v: number | null): Val => ({ t: 'scalar', v });

export interface Binding {
  ct: CType;
  val: Val;
}

export interface RefEntry {
  id: number;
  insn: number;
  releaseOnUnlock: boolean;
}

export interface LockState {
  key: string;
  desc: string;
}

/** A persistent list of explain lines (shared tails between forked paths). */
export interface Trail {
  line: string;
  prev: Trail | null;
}

export interface State {
  frames: Map<string, Binding>[];
  refs: RefEntry[];
  lock: LockState | null;
  rcu: number;
  /** depth of rbtree_add callbacks being verified */
  cb: number;
  /** approximate BPF instruction index reached on this path (see insnCost in interpreter.ts) */
  insn: number;
  trail: Trail | null;
}

export function cloneState(s: State): State {
  return { frames: s.frames.map((f) => new Map(f)), refs: s.refs.map((r) => ({ ...r })), lock: s.lock, rcu: s.rcu, cb: s.cb, insn: s.insn, trail: s.trail };
}

/** Map every value held in any frame (also inside local arrays). */
export function mapAllVals(s: State, fn: (v: Val) => Val): void {
  const walk = (v: Val): Val => {
    if (v.t === 'array') {
      let changed = false;
      const elems = v.elems.map((e) => {
        const n = walk(e);
        if (n !== e) changed = true;
        return n;
      });
      return changed ? { t: 'array', elems } : v;
    }
    return fn(v);
  };
  for (let i = 0; i < s.frames.length; i++) {
    const f = s.frames[i]!;
    for (const [k, b] of f) {
      const nv = walk(b.val);
      if (nv !== b.val) f.set(k, { ct: b.ct, val: nv });
    }
  }
}

export function regTypeStr(v: Val): string {
  if (v.t === 'scalar') return v.regType ?? 'scalar';
  if (v.t === 'ptr') {
    const base =
      v.kind === 'alloc' || v.kind === 'btf'
        ? 'ptr_'
        : v.kind === 'mapval' || v.kind === 'global'
          ? 'map_value'
          : v.kind === 'mapptr'
            ? 'map_ptr'
            : v.kind === 'ctx'
              ? 'ctx'
              : v.kind === 'percpu'
                ? 'percpu_ptr_'
                : 'fp';
    if (v.maybeNull) return base === 'ptr_' ? 'ptr_or_null_' : `${base}_or_null`;
    return base;
  }
  if (v.t === 'map') return 'map_ptr';
  return 'scalar';
}

export function valToString(v: Val): string {
  switch (v.t) {
    case 'scalar':
      return v.regType ?? (v.v === null ? 'scalar' : `scalar(${v.v})`);
    case 'func':
      return `func ${v.name}`;
    case 'map':
      return `map ${v.name}`;
    case 'array':
      return `[${v.elems.length} elems]`;
    case 'ptr': {
      const tags: string[] = [];
      if (v.kind === 'alloc') tags.push(v.nonOwn ? 'NONOWN' : v.untrusted ? 'UNTRUSTED_ALLOC' : 'OWN');
      else tags.push(v.kind);
      const attrs = [`${v.obj}`, `off=${v.off}${v.varOff ? '+var' : ''}`];
      if (v.id) attrs.push(`id=${v.id}`);
      if (v.refId) attrs.push(`ref=${v.refId}`);
      return `${tags.join('|')}${v.maybeNull ? '?' : ''}(${attrs.join(',')})`;
    }
  }
}
