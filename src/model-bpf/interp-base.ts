/**
 * The verifier model's interpreter, layer 1: run context, result types, errors, and the
 * reference-state primitives (acquire, release, non-owning invalidation) every layer uses.
 * Layers: interp-base → interp-memory → interp-expr → interp-calls → interpreter (statements).
 */
import type { ANode as CNode } from './ast.js';
import { type CType, type TypeRegistry } from './ctypes.js';
import { type FuncDef, type Unit } from './unit.js';
import type { VersionSemantics } from './version-semantics.js';
import { UNKNOWN, cloneState, mapAllVals, scalar, type State, type Trail, type Val } from './values.js';

/** The program was rejected: the first error the verifier would print. */
export class Reject extends Error {
  constructor(
    message: string,
    readonly trail: Trail | null,
    readonly line: number,
  ) {
    super(message);
  }
}

/** A construct the model does not understand. */
export class Unsupported extends Error {
  constructor(
    readonly what: string,
    readonly line: number,
  ) {
    super(`unsupported: ${what}`);
  }
}

export interface R {
  st: State;
  val: Val;
  ct: CType;
}

export type Outcome =
  | { k: 'next'; st: State }
  | { k: 'ret'; st: State; val: Val }
  | { k: 'brk'; st: State }
  | { k: 'cont'; st: State }
  | { k: 'goto'; st: State; label: string };

export const MAX_STATES = 20000;
export const UNINIT: Val = { t: 'scalar', v: null, regType: 'uninit' };
export const MAX_UNKNOWN_LOOP = 6;
export const MAX_CONST_LOOP = 600;

/** Program types that are "tracing" for check_map_prog_compatibility. */
export const TRACING_SECTIONS = /^(kprobe|kretprobe|uprobe|uretprobe|ksyscall|kretsyscall|tracepoint|tp|perf_event|raw_tp|raw_tracepoint|raw_tp\.w|raw_tracepoint\.w|usdt)(\/|$)/;

export const HELPERS = new Set([
  'bpf_map_lookup_elem', 'bpf_map_lookup_percpu_elem', 'bpf_map_update_elem', 'bpf_map_delete_elem', 'bpf_spin_lock',
  'bpf_spin_unlock', 'bpf_kptr_xchg', 'bpf_this_cpu_ptr', 'bpf_per_cpu_ptr', 'bpf_probe_read_kernel', 'bpf_ktime_get_ns',
  'bpf_get_prandom_u32', 'bpf_get_smp_processor_id', 'bpf_jiffies64', 'bpf_printk', 'bpf_trace_printk', 'bpf_get_current_pid_tgid',
]);

/** Graph kfuncs the verifier special-cases by BTF id (special_kfunc_list), by base name. */
export const GRAPH_KFUNCS = new Set([
  'bpf_obj_new', 'bpf_percpu_obj_new', 'bpf_obj_drop', 'bpf_percpu_obj_drop', 'bpf_list_push_front', 'bpf_list_push_back',
  'bpf_list_pop_front', 'bpf_list_pop_back', 'bpf_list_front', 'bpf_list_back', 'bpf_rbtree_add', 'bpf_rbtree_remove',
  'bpf_rbtree_first', 'bpf_rbtree_root', 'bpf_rbtree_left', 'bpf_rbtree_right', 'bpf_refcount_acquire', 'bpf_rcu_read_lock',
  'bpf_rcu_read_unlock',
]);

/** Arguments the BPF-side API passes before the implicit (meta__ign, off) ones. */
export const GRAPH_ARITY: Record<string, number> = {
  bpf_obj_drop: 1, bpf_percpu_obj_drop: 1, bpf_refcount_acquire: 1, bpf_list_push_front: 2, bpf_list_push_back: 2,
  bpf_rbtree_add: 3,
};

export const baseKfuncName = (n: string): string => n.replace(/_impl$/, '');

export interface RunContext {
  unit: Unit;
  reg: TypeRegistry;
  sem: VersionSemantics;
  kfuncFlags: Map<string, string[]>;
  section: string;
  explain: boolean;
}

export interface RunResult {
  verdict: 'accept' | 'reject' | 'unsupported';
  message: string;
  line: number;
  trail: string[];
  paths: number;
  /** statement states executed */
  steps: number;
  /** helpers and kfuncs the program called (on any explored path) */
  calls: string[];
}

export abstract class InterpBase {
  protected idGen = 0;

  /** instruction index of the call being made (alloc_insn of the references it acquires) */
  protected callInsn = 0;

  paths = 0;

  protected states = 0;

  get steps(): number {
    return this.states;
  }

  protected readonly tracing: boolean;

  protected curLine = 0;

  protected currentFn: FuncDef | null = null;

  readonly called = new Set<string>();

  constructor(protected readonly c: RunContext) {
    this.tracing = TRACING_SECTIONS.test(c.section.replace(/^\?/, ''));
  }

  protected ctxVal(): Val {
    return { t: 'ptr', kind: 'ctx', obj: 'ctx', off: 0, varOff: false, maybeNull: false, id: 0, refId: 0, nonOwn: false, untrusted: false };
  }

  protected fail(st: State, msg: string): never {
    throw new Reject(msg, this.log(st, () => `error: ${msg}`).trail, this.curLine);
  }

  protected unsupported(what: string): never {
    throw new Unsupported(what, this.curLine);
  }

  protected log(st: State, line: string | (() => string)): State {
    if (!this.c.explain) return st;
    const text = (typeof line === 'string' ? line : line()).replace(/\s?\b(__T\d+)\b\s?/g, (_m, t: string) => this.c.unit.typeArgs.get(t) ?? t);
    return { ...st, trail: { line: `${this.curLine}: ${text}`, prev: st.trail } };
  }

  // ---------------------------------------------------------------- expressions

  protected lookup(st: State, name: string): { ct: CType; val: Val } | undefined {
    return st.frames[st.frames.length - 1]!.get(name);
  }

  protected setLocal(st: State, name: string, ct: CType, val: Val): State {
    // copy-on-write: only the current frame changes (every in-place update of other frames
    // goes through cloneState first)
    const frames = st.frames.slice();
    const top = new Map(frames[frames.length - 1]!);
    top.set(name, { ct, val });
    frames[frames.length - 1] = top;
    return { ...st, frames };
  }

  protected walk(v: Val, off: number): Val {
    if (v.t === 'ptr') return { ...v, off: v.off + off };
    if (v.t === 'scalar') return v.v !== null ? scalar(v.v + off) : v;
    return UNKNOWN;
  }

  protected stackPtr(): Val {
    return { t: 'ptr', kind: 'stack', obj: 'stack', off: 0, varOff: false, maybeNull: false, id: 0, refId: 0, nonOwn: false, untrusted: false };
  }

  protected newId(): number {
    return ++this.idGen;
  }

  protected acquire(st: State): { st: State; id: number } {
    const id = this.newId();
    const s = cloneState(st);
    s.refs.push({ id, insn: this.callInsn, releaseOnUnlock: false });
    return { st: s, id };
  }

  /** release_reference: drop the ref and turn every register holding it into an unknown scalar. */
  protected release(st: State, refId: number): State {
    const s = cloneState(st);
    s.refs = s.refs.filter((r) => r.id !== refId);
    mapAllVals(s, (x) => (x.t === 'ptr' && x.refId === refId ? UNKNOWN : x));
    return s;
  }

  protected invalidateNonOwning(st: State): State {
    const s = cloneState(st);
    mapAllVals(s, (x) => (x.t === 'ptr' && x.nonOwn ? UNKNOWN : x));
    return s;
  }

  protected abstract ev(node: CNode, st: State): R[];
  protected abstract isKnownCallee(name: string): boolean;
  protected abstract implicitArgs(callee: string): number;
  protected abstract call(callee: string, args: R[], st: State, node: CNode): R[];
  protected abstract execBody(fn: FuncDef, st: State): { st: State; val: Val }[];
}
