import type { ANode as CNode } from './ast.js';
import { INT, LONG, VOID, primitiveType, ptrTo, type CType, type TypeRegistry } from './ctypes.js';
import { declType, specifierType, type FuncDef, type Unit } from './unit.js';
import type { VersionSemantics } from './version-semantics.js';
import {
  UNKNOWN,
  cloneState,
  mapAllVals,
  regTypeStr,
  scalar,
  valToString,
  type PtrVal,
  type State,
  type Trail,
  type Val,
} from './values.js';

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

interface R {
  st: State;
  val: Val;
  ct: CType;
}

type Outcome =
  | { k: 'next'; st: State }
  | { k: 'ret'; st: State; val: Val }
  | { k: 'brk'; st: State }
  | { k: 'cont'; st: State }
  | { k: 'goto'; st: State; label: string };

const MAX_STATES = 20000;
const UNINIT: Val = { t: 'scalar', v: null, regType: 'uninit' };
const MAX_UNKNOWN_LOOP = 6;
const MAX_CONST_LOOP = 600;

/** Program types that are "tracing" for check_map_prog_compatibility. */
const TRACING_SECTIONS = /^(kprobe|kretprobe|uprobe|uretprobe|ksyscall|kretsyscall|tracepoint|tp|perf_event|raw_tp|raw_tracepoint|raw_tp\.w|raw_tracepoint\.w|usdt)(\/|$)/;

const HELPERS = new Set([
  'bpf_map_lookup_elem', 'bpf_map_lookup_percpu_elem', 'bpf_map_update_elem', 'bpf_map_delete_elem', 'bpf_spin_lock',
  'bpf_spin_unlock', 'bpf_kptr_xchg', 'bpf_this_cpu_ptr', 'bpf_per_cpu_ptr', 'bpf_probe_read_kernel', 'bpf_ktime_get_ns',
  'bpf_get_prandom_u32', 'bpf_get_smp_processor_id', 'bpf_jiffies64', 'bpf_printk', 'bpf_trace_printk', 'bpf_get_current_pid_tgid',
]);

/** Graph kfuncs the verifier special-cases by BTF id (special_kfunc_list), by base name. */
const GRAPH_KFUNCS = new Set([
  'bpf_obj_new', 'bpf_percpu_obj_new', 'bpf_obj_drop', 'bpf_percpu_obj_drop', 'bpf_list_push_front', 'bpf_list_push_back',
  'bpf_list_pop_front', 'bpf_list_pop_back', 'bpf_list_front', 'bpf_list_back', 'bpf_rbtree_add', 'bpf_rbtree_remove',
  'bpf_rbtree_first', 'bpf_rbtree_root', 'bpf_rbtree_left', 'bpf_rbtree_right', 'bpf_refcount_acquire', 'bpf_rcu_read_lock',
  'bpf_rcu_read_unlock',
]);

/** Arguments the BPF-side API passes before the implicit (meta__ign, off) ones. */
const GRAPH_ARITY: Record<string, number> = {
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

function trailToLines(t: Trail | null): string[] {
  const out: string[] = [];
  for (let x = t; x; x = x.prev) out.push(x.line);
  return out.reverse();
}

export function runProgram(fn: FuncDef, ctx: RunContext): RunResult {
  const it = new Interpreter(ctx);
  try {
    const paths = it.runMain(fn);
    return { verdict: 'accept', message: '', line: 0, trail: [], paths, steps: it.steps, calls: [...it.called] };
  } catch (e) {
    if (e instanceof Reject) return { verdict: 'reject', message: e.message, line: e.line, trail: trailToLines(e.trail), paths: it.paths, steps: it.steps, calls: [...it.called] };
    if (e instanceof Unsupported) return { verdict: 'unsupported', message: `unsupported: ${e.what}`, line: e.line, trail: [], paths: it.paths, steps: it.steps, calls: [...it.called] };
    throw e;
  }
}

class Interpreter {
  private idGen = 0;
  /** instruction index of the call being made (alloc_insn of the references it acquires) */
  private callInsn = 0;
  paths = 0;
  private states = 0;
  get steps(): number {
    return this.states;
  }
  private readonly tracing: boolean;
  private curLine = 0;

  constructor(private readonly c: RunContext) {
    this.tracing = TRACING_SECTIONS.test(c.section.replace(/^\?/, ''));
  }

  // ---------------------------------------------------------------- program

  runMain(fn: FuncDef): number {
    const frame = new Map<string, { ct: CType; val: Val }>();
    fn.params.forEach((p, i) => {
      frame.set(p.name, { ct: p.type, val: i === 0 ? this.ctxVal() : UNKNOWN });
    });
    const st: State = { frames: [frame], refs: [], lock: null, rcu: 0, cb: 0, insn: 0, trail: null };
    this.currentFn = fn;
    const outs = this.execBody(fn, st);
    for (const o of outs) {
      this.curLine = fn.line;
      this.checkExit(o.st);
      this.paths++;
    }
    return this.paths;
  }

  private ctxVal(): Val {
    return { t: 'ptr', kind: 'ctx', obj: 'ctx', off: 0, varOff: false, maybeNull: false, id: 0, refId: 0, nonOwn: false, untrusted: false };
  }

  private checkExit(st: State): void {
    if (st.lock) this.fail(st, this.c.sem.msg.spinUnlockMissing);
    if (st.rcu > 0) this.fail(st, 'bpf_rcu_read_unlock is missing');
    if (st.refs.length) {
      const lines = st.refs.map((r) => `Unreleased reference id=${r.id} alloc_insn=${r.insn}`);
      if (this.c.sem.msg.leakSuffix) lines.push(this.c.sem.msg.leakSuffix);
      this.fail(st, lines.join('\n'));
    }
  }

  private fail(st: State, msg: string): never {
    throw new Reject(msg, this.log(st, () => `error: ${msg}`).trail, this.curLine);
  }

  private unsupported(what: string): never {
    throw new Unsupported(what, this.curLine);
  }

  private log(st: State, line: string | (() => string)): State {
    if (!this.c.explain) return st;
    const text = (typeof line === 'string' ? line : line()).replace(/\s?\b(__T\d+)\b\s?/g, (_m, t: string) => this.c.unit.typeArgs.get(t) ?? t);
    return { ...st, trail: { line: `${this.curLine}: ${text}`, prev: st.trail } };
  }

  /** Run a function body in a new frame that the caller already pushed. Returns the states at return. */
  private execBody(fn: FuncDef, st: State): { st: State; val: Val }[] {
    const outs = this.execStmt(fn.body, st);
    const res: { st: State; val: Val }[] = [];
    for (const o of outs) {
      if (o.k === 'ret') res.push({ st: o.st, val: o.val });
      else if (o.k === 'next') res.push({ st: o.st, val: UNKNOWN });
      else if (o.k === 'goto') {
        this.curLine = fn.line;
        this.unsupported(`goto ${o.label} to a label outside its block`);
      } else this.unsupported('break/continue outside a loop');
    }
    return dedupe(res, (r) => stateKey(r.st) + valToString(r.val));
  }

  // ---------------------------------------------------------------- statements

  private execStmt(node: CNode, st: State): Outcome[] {
    if (++this.states > MAX_STATES) this.unsupported('path explosion (more than 20000 statement states)');
    this.curLine = node.startPosition.row + 1;
    switch (node.type) {
      case 'compound_statement':
        return this.execBlock(node.namedChildren.filter((x): x is CNode => !!x && x.type !== 'comment'), st);
      case 'expression_statement': {
        const e = node.namedChildren[0];
        if (!e) return [{ k: 'next', st }];
        return this.ev(e, st).map((r) => ({ k: 'next' as const, st: this.log(r.st, () => `${oneLine(e.text)}`) }));
      }
      case 'declaration':
        return this.execDecl(node, st).map((s) => ({ k: 'next' as const, st: s }));
      case 'if_statement': {
        const cond = node.childForFieldName('condition');
        const cons = node.childForFieldName('consequence');
        const alt = node.childForFieldName('alternative');
        if (!cond || !cons) this.unsupported('if without condition');
        const out: Outcome[] = [];
        for (const b of this.branch(cond, st)) {
          const s = this.log(b.st, () => `if ${oneLine(cond.text)} -> ${b.truth ? 'true' : 'false'}`);
          if (b.truth) out.push(...this.execStmt(cons, s));
          else if (alt) out.push(...this.execStmt(alt.type === 'else_clause' ? (alt.namedChildren[0] ?? alt) : alt, s));
          else out.push({ k: 'next', st: s });
        }
        return out;
      }
      case 'else_clause': {
        const b = node.namedChildren[0];
        return b ? this.execStmt(b, st) : [{ k: 'next', st }];
      }
      case 'return_statement': {
        const e = node.namedChildren[0];
        if (!e) return [{ k: 'ret', st: this.log(st, 'return'), val: UNKNOWN }];
        return this.ev(e, st).map((r) => ({ k: 'ret' as const, st: this.log(r.st, () => `return ${oneLine(e.text)}`), val: r.val }));
      }
      case 'break_statement':
        return [{ k: 'brk', st }];
      case 'continue_statement':
        return [{ k: 'cont', st }];
      case 'goto_statement': {
        const l = node.childForFieldName('label')?.text ?? node.namedChildren[0]?.text ?? '';
        return [{ k: 'goto', st: this.log(st, () => `goto ${l}`), label: l }];
      }
      case 'labeled_statement': {
        const s = node.namedChildren.find((x) => x && x.type !== 'statement_identifier');
        return s ? this.execStmt(s, st) : [{ k: 'next', st }];
      }
      case 'for_statement':
      case 'while_statement':
      case 'do_statement':
        return this.execLoop(node, st);
      case ';':
      case 'empty_statement':
        return [{ k: 'next', st }];
      case 'comment':
        return [{ k: 'next', st }];
      default:
        this.unsupported(`statement ${node.type}`);
    }
  }

  private execBlock(stmts: CNode[], st: State): Outcome[] {
    const labels = new Map<string, number>();
    stmts.forEach((s, i) => {
      if (s.type === 'labeled_statement') {
        const l = s.childForFieldName('label')?.text ?? s.namedChildren[0]?.text;
        if (l) labels.set(l, i);
      }
    });
    const done: Outcome[] = [];
    let work: { st: State; from: number }[] = [{ st, from: 0 }];
    let gotoBudget = 64;
    while (work.length) {
      const next: { st: State; from: number }[] = [];
      for (const w of work) {
        let cur: State[] = [w.st];
        for (let i = w.from; i < stmts.length && cur.length; i++) {
          const nextCur: State[] = [];
          const extra = stmtInsns(stmts, i);
          for (const s0 of cur) {
            const s = extra.before ? { ...s0, insn: s0.insn + extra.before } : s0;
            for (const o0 of this.execStmt(stmts[i]!, s)) {
              const o = extra.after && o0.k === 'next' ? { ...o0, st: { ...o0.st, insn: o0.st.insn + extra.after } } : o0;
              if (o.k === 'next') nextCur.push(o.st);
              else if (o.k === 'goto' && labels.has(o.label)) {
                const to = labels.get(o.label)!;
                if (to <= i && --gotoBudget < 0) this.unsupported('backward goto loop');
                next.push({ st: o.st, from: to });
              } else done.push(o);
            }
          }
          // only a statement that forked can have produced duplicates
          cur = dedupe(nextCur, stateKey);
        }
        for (const s of cur) done.push({ k: 'next', st: s });
      }
      // states jumping to the same label: drop duplicates, merge those differing only in scalars
      const byLabel = new Map<number, State[]>();
      for (const w of next) byLabel.set(w.from, [...(byLabel.get(w.from) ?? []), w.st]);
      work = [];
      for (const [from, sts] of byLabel) {
        const merged = sts.length > 2 ? mergeScalarVariants(dedupe(sts, stateKey)) : dedupe(sts, stateKey);
        for (const st2 of merged) work.push({ st: st2, from });
      }
    }
    return done;
  }

  private execDecl(node: CNode, st: State): State[] {
    const typeNode = node.childForFieldName('type');
    if (!typeNode) this.unsupported('declaration without type');
    let states = [st];
    const decls = node.childrenForFieldName('declarator').filter((x): x is CNode => !!x);
    const fn = this.currentFn;
    if (decls.length === 0) {
      specifierType(typeNode, this.c.reg, fn?.marks ?? []);
      return states;
    }
    for (const d of decls) {
      const { name, type } = declType(typeNode, d, this.c.reg, fn?.marks ?? []);
      if (!name) continue;
      const init = d.type === 'init_declarator' ? d.childForFieldName('value') : null;
      const out: State[] = [];
      for (const s of states) {
        if (!init) {
          const val: Val = mkArray(type, UNINIT);
          out.push(this.setLocal(s, name, type, val));
          continue;
        }
        if (init.type === 'initializer_list') {
          out.push(this.setLocal(s, name, type, type.k === 'array' ? mkArray(type, scalar(0)) : UNKNOWN));
          continue;
        }
        // the declared name is in scope in its own initializer (typeof(*b) in `T *b = bpf_obj_new(typeof(*b))`)
        for (const r of this.ev(init, this.setLocal(s, name, type, UNINIT))) {
          out.push(this.log(this.setLocal(r.st, name, type, r.val), () => `${name} = ${valToString(r.val)}`));
        }
      }
      states = out;
    }
    return states;
  }

  private currentFn: FuncDef | null = null;

  private setLocal(st: State, name: string, ct: CType, val: Val): State {
    // copy-on-write: only the current frame changes (every in-place update of other frames
    // goes through cloneState first)
    const frames = st.frames.slice();
    const top = new Map(frames[frames.length - 1]!);
    top.set(name, { ct, val });
    frames[frames.length - 1] = top;
    return { ...st, frames };
  }

  private execLoop(node: CNode, st: State): Outcome[] {
    const init = node.type === 'for_statement' ? node.childForFieldName('initializer') : null;
    const cond = node.childForFieldName('condition');
    const update = node.type === 'for_statement' ? node.childForFieldName('update') : null;
    const body = node.childForFieldName('body');
    if (!body) this.unsupported('loop without body');
    let states: State[] = [st];
    if (init) {
      if (init.type === 'declaration') states = this.execDecl(init, st);
      else states = this.ev(init, st).map((r) => r.st);
    }
    const out: Outcome[] = [];
    let iter = 0;
    let unknownIters = 0;
    let first = node.type === 'do_statement';
    while (states.length) {
      iter++;
      if (states.length > 2) states = mergeScalarVariants(dedupe(states, stateKey));
      if (iter > MAX_CONST_LOOP) this.unsupported('loop bound too large to unroll');
      const entering: State[] = [];
      let sawUnknown = false;
      for (const s of states) {
        if (first || !cond) {
          entering.push(s);
          continue;
        }
        const c = cond.type === 'parenthesized_expression' ? cond : cond;
        const bs = this.branch(c, s);
        if (bs.length > 1) sawUnknown = true;
        for (const b of bs) {
          if (b.truth) entering.push(b.st);
          else out.push({ k: 'next', st: b.st });
        }
      }
      first = false;
      if (sawUnknown || !cond) unknownIters++;
      if (unknownIters > MAX_UNKNOWN_LOOP) {
        // the verifier would find an equivalent state and prune: stop exploring this loop
        for (const s of entering) out.push({ k: 'next', st: s });
        break;
      }
      const after: State[] = [];
      for (const s of dedupe(entering, stateKey)) {
        for (const o of this.execStmt(body, s)) {
          if (o.k === 'next' || o.k === 'cont') after.push(o.st);
          else if (o.k === 'brk') out.push({ k: 'next', st: o.st });
          else out.push(o);
        }
      }
      states = [];
      for (const s of dedupe(after, stateKey)) {
        if (update) states.push(...this.ev(update, s).map((r) => r.st));
        else states.push(s);
      }
    }
    // states leaving the loop that differ only in scalar values (the loop counter) are
    // equivalent for the verifier's pruning: merge them, widening those scalars
    const normal = out.filter((o) => o.k === 'next').map((o) => o.st);
    if (normal.length > 2) {
      const merged = mergeScalarVariants(normal);
      return [...out.filter((o) => o.k !== 'next'), ...merged.map((st2) => ({ k: 'next' as const, st: st2 }))];
    }
    return out;
  }

  // ---------------------------------------------------------------- conditions

  /** Both outcomes of a condition, with NULL-check refinement of every alias (by reg id). */
  private branch(node: CNode, st: State): { st: State; truth: boolean }[] {
    const n = unparen(node);
    if (n.type === 'unary_expression' && n.childForFieldName('operator')?.text === '!') {
      return this.branch(n.childForFieldName('argument')!, st).map((b) => ({ st: b.st, truth: !b.truth }));
    }
    if (n.type === 'binary_expression') {
      const op = n.childForFieldName('operator')?.text;
      const l = n.childForFieldName('left')!;
      const r = n.childForFieldName('right')!;
      if (op === '&&' || op === '||') {
        const out: { st: State; truth: boolean }[] = [];
        for (const b of this.branch(l, st)) {
          if (op === '&&' ? !b.truth : b.truth) out.push(b);
          else out.push(...this.branch(r, b.st));
        }
        return out;
      }
      if ((op === '==' || op === '!=') && (isNullLit(r) || isNullLit(l))) {
        const e = isNullLit(r) ? l : r;
        return this.branch(e, st).map((b) => ({ st: b.st, truth: op === '==' ? !b.truth : b.truth }));
      }
    }
    const out: { st: State; truth: boolean }[] = [];
    for (const r of this.ev(n, st)) out.push(...this.truthOf(r.val, r.st));
    return out;
  }

  private truthOf(v: Val, st: State): { st: State; truth: boolean }[] {
    if (v.t === 'scalar') {
      if (v.v !== null) return [{ st, truth: v.v !== 0 }];
      // reading an uninitialised local is undefined behaviour the compiler folds away
      if (v.regType === 'uninit') return [{ st, truth: false }];
      return [
        { st, truth: true },
        { st, truth: false },
      ];
    }
    if (v.t === 'ptr') {
      if (!v.maybeNull) return [{ st, truth: true }];
      return [
        { st: this.refineNull(st, v, false), truth: true },
        { st: this.refineNull(st, v, true), truth: false },
      ];
    }
    return [{ st, truth: true }];
  }

  /** mark_ptr_or_null_regs: every register with the same id becomes non-NULL, or NULL (dropping its ref). */
  private refineNull(st: State, v: PtrVal, isNull: boolean): State {
    const s = cloneState(st);
    const id = v.id;
    mapAllVals(s, (x) => {
      if (x.t !== 'ptr' || !x.maybeNull || x.id !== id) return x;
      return isNull ? scalar(0) : { ...x, maybeNull: false };
    });
    if (isNull && v.refId) s.refs = s.refs.filter((r) => r.id !== v.refId);
    return s;
  }

  // ---------------------------------------------------------------- expressions

  private lookup(st: State, name: string): { ct: CType; val: Val } | undefined {
    return st.frames[st.frames.length - 1]!.get(name);
  }

  private ev(node: CNode, st: State): R[] {
    switch (node.type) {
      case 'parenthesized_expression':
        return this.ev(node.namedChildren[0]!, st);
      case 'number_literal':
        return [{ st, val: scalar(parseNum(node.text)), ct: /u?l/i.test(node.text) ? LONG : INT }];
      case 'char_literal':
        return [{ st, val: scalar(node.text.charCodeAt(1)), ct: { k: 'int', size: 1 } }];
      case 'true':
        return [{ st, val: scalar(1), ct: INT }];
      case 'false':
      case 'null':
        return [{ st, val: scalar(0), ct: node.type === 'null' ? ptrTo(VOID) : INT }];
      case 'string_literal':
      case 'concatenated_string':
        return [{ st, val: UNKNOWN, ct: ptrTo({ k: 'int', size: 1 }) }];
      case 'identifier':
        return [this.evIdent(node.text, st)];
      case 'sizeof_expression':
        return [{ st, val: scalar(this.sizeofExpr(node, st)), ct: LONG }];
      case 'cast_expression': {
        const tn = node.childForFieldName('type')!;
        const ct = this.typeDescriptor(tn);
        return this.ev(node.childForFieldName('value')!, st).map((r) => ({ st: r.st, val: r.val, ct }));
      }
      case 'comma_expression': {
        const l = node.childForFieldName('left')!;
        const r = node.childForFieldName('right')!;
        return this.ev(l, st).flatMap((x) => this.ev(r, x.st));
      }
      case 'conditional_expression': {
        const c = node.childForFieldName('condition')!;
        const a = node.childForFieldName('consequence')!;
        const b = node.childForFieldName('alternative')!;
        return this.branch(c, st).flatMap((x) => this.ev(x.truth ? a : b, x.st));
      }
      case 'assignment_expression':
        return this.evAssign(node, st);
      case 'update_expression': {
        const arg = node.childForFieldName('argument')!;
        const op = node.childForFieldName('operator')?.text ?? node.text.replace(arg.text, '').trim();
        return this.ev(arg, st).flatMap((r) => {
          const nv = this.arith(op.startsWith('+') ? '+' : '-', r.val, scalar(1), r.ct);
          return this.store(arg, r.st, nv).map((s) => ({ st: s, val: r.val, ct: r.ct }));
        });
      }
      case 'unary_expression': {
        const op = node.childForFieldName('operator')!.text;
        const arg = node.childForFieldName('argument')!;
        if (op === '!') {
          return this.branch(arg, st).map((b) => ({ st: b.st, val: scalar(b.truth ? 0 : 1), ct: INT }));
        }
        return this.ev(arg, st).map((r) => {
          const v = r.val.t === 'scalar' && r.val.v !== null ? (op === '-' ? -r.val.v : op === '~' ? ~r.val.v : r.val.v) : null;
          return { st: r.st, val: scalar(v), ct: r.ct };
        });
      }
      case 'binary_expression':
        return this.evBinary(node, st);
      case 'pointer_expression': {
        const op = node.childForFieldName('operator')?.text ?? node.text[0];
        const arg = node.childForFieldName('argument')!;
        if (op === '&') return this.addressOf(arg, st);
        return this.ev(arg, st).flatMap((r) => this.load(r, r.ct.k === 'ptr' ? r.ct.to : INT, isCallExpr(arg) ? 0 : 1));
      }
      case 'field_expression':
        return this.fieldAddr(node, st).flatMap((r) => (r.lv === 'local' ? [r.r] : this.load(r.r, r.r.ct.k === 'ptr' ? r.r.ct.to : INT, r.reg)));
      case 'subscript_expression':
        return this.evSubscript(node, st);
      case 'call_expression':
        return this.evCall(node, st);
      case 'compound_literal_expression':
        return [{ st, val: UNKNOWN, ct: INT }];
      case 'initializer_list':
        return [{ st, val: UNKNOWN, ct: INT }];
      default:
        this.unsupported(`expression ${node.type}`);
    }
  }

  private evIdent(name: string, st: State): R {
    const b = this.lookup(st, name);
    if (b) return { st, val: b.val, ct: b.ct };
    if (name === 'NULL') return { st, val: scalar(0), ct: ptrTo(VOID) };
    if (name === 'can_loop' || name === 'cond_break' || name === '__LINE__') return { st, val: UNKNOWN, ct: INT };
    if (this.c.unit.functions.has(name) || this.isKnownCallee(name)) return { st, val: { t: 'func', name }, ct: { k: 'func' } };
    const g = this.c.unit.globals.get(name);
    if (g) {
      // a global's value: read it from its data section
      return { st, val: UNKNOWN, ct: g.type };
    }
    const tv = this.c.unit.typeArgs.get(name);
    if (tv !== undefined) return { st, val: { t: 'scalar', v: null, typeRef: name }, ct: LONG };
    this.unsupported(`identifier ${name}`);
  }

  private isKnownCallee(name: string): boolean {
    const b = baseKfuncName(name);
    return HELPERS.has(name) || GRAPH_KFUNCS.has(b) || this.c.kfuncFlags.has(name) || this.c.kfuncFlags.has(b);
  }

  private typeDescriptor(tn: CNode): CType {
    const t = tn.childForFieldName('type');
    const d = tn.childForFieldName('declarator');
    if (!t) return INT;
    if (!d) return specifierType(t, this.c.reg, this.currentFn?.marks ?? []);
    return declType(t, d, this.c.reg, this.currentFn?.marks ?? []).type;
  }

  private sizeofExpr(node: CNode, st: State): number {
    const tn = node.childForFieldName('type');
    if (tn) return this.c.reg.sizeOf(this.typeDescriptor(tn));
    const v = node.childForFieldName('value') ?? node.namedChildren[0];
    if (!v) return 8;
    return this.c.reg.sizeOf(this.staticType(v, st));
  }

  /** The C type of an expression without evaluating it (sizeof, typeof). */
  private staticType(node: CNode, st: State): CType {
    const n = unparen(node);
    switch (n.type) {
      case 'identifier': {
        const b = this.lookup(st, n.text);
        if (b) return b.ct;
        const g = this.c.unit.globals.get(n.text);
        if (g) return g.type;
        return INT;
      }
      case 'pointer_expression': {
        const op = n.childForFieldName('operator')?.text ?? n.text[0];
        const inner = this.staticType(n.childForFieldName('argument')!, st);
        if (op === '&') return ptrTo(inner);
        return inner.k === 'ptr' ? inner.to : inner.k === 'array' ? inner.of : INT;
      }
      case 'subscript_expression': {
        const inner = this.staticType(n.childForFieldName('argument')!, st);
        return inner.k === 'array' ? inner.of : inner.k === 'ptr' ? inner.to : INT;
      }
      case 'field_expression': {
        const inner = this.staticType(n.childForFieldName('argument')!, st);
        const s = inner.k === 'ptr' ? inner.to : inner;
        if (s.k !== 'struct') return INT;
        const f = this.c.reg.field(s.name, n.childForFieldName('field')!.text);
        return f?.type ?? INT;
      }
      case 'cast_expression':
        return this.typeDescriptor(n.childForFieldName('type')!);
      default:
        return INT;
    }
  }

  /** Resolve the text of a type argument (`struct foo`, `typeof(*f)`, `union {...}`, `int`). */
  private resolveTypeText(placeholder: string, st: State): CType {
    const text = this.c.unit.typeArgs.get(placeholder);
    if (text === undefined) this.unsupported(`type argument ${placeholder}`);
    if (text.includes('{')) return { k: 'struct', name: `${placeholder}_t` };
    const ty = /^(?:typeof|__typeof__)\s*\((.*)\)$/.exec(text);
    if (ty) {
      let e = ty[1]!.trim();
      if (/^(struct|union)\s/.test(e)) return this.typeFromText(e);
      let derefs = 0;
      while (e.startsWith('*')) {
        derefs++;
        e = e.slice(1).trim();
      }
      while (/\[[^\]]*\]$/.test(e)) {
        derefs++;
        e = e.replace(/\[[^\]]*\]$/, '').trim();
      }
      let t: CType = this.lookup(st, e)?.ct ?? this.c.unit.globals.get(e)?.type ?? this.unsupported(`typeof(${ty[1]})`);
      for (let i = 0; i < derefs; i++) t = t.k === 'ptr' ? t.to : t.k === 'array' ? t.of : INT;
      return t;
    }
    return this.typeFromText(text);
  }

  private typeFromText(text: string): CType {
    const m = /^(struct|union)\s+(\w+)\s*(\**)$/.exec(text.trim());
    if (m) {
      let t: CType = { k: 'struct', name: m[2]! };
      for (let i = 0; i < m[3]!.length; i++) t = ptrTo(t);
      return t;
    }
    const p = primitiveType(text.replace(/\*+$/, ''));
    if (p) return text.trim().endsWith('*') ? ptrTo(p) : p;
    return { k: 'struct', name: text.trim() };
  }

  private evBinary(node: CNode, st: State): R[] {
    const op = node.childForFieldName('operator')!.text;
    const l = node.childForFieldName('left')!;
    const r = node.childForFieldName('right')!;
    if (op === '&&' || op === '||' || ['==', '!=', '<', '>', '<=', '>='].includes(op)) {
      if (op === '&&' || op === '||' || ((op === '==' || op === '!=') && (isNullLit(l) || isNullLit(r)))) {
        return this.branch(node, st).map((b) => ({ st: b.st, val: scalar(b.truth ? 1 : 0), ct: INT }));
      }
    }
    const out: R[] = [];
    for (const a of this.ev(l, st)) {
      for (const b of this.ev(r, a.st)) {
        out.push({ st: b.st, val: this.arith(op, a.val, b.val, a.ct, b.ct), ct: a.ct.k === 'ptr' || a.ct.k === 'array' ? a.ct : b.ct.k === 'ptr' ? b.ct : a.ct });
      }
    }
    return out;
  }

  private arith(op: string, a: Val, b: Val, act: CType, bct?: CType): Val {
    if (a.t === 'ptr' && b.t === 'scalar' && (op === '+' || op === '-')) {
      const scale = act.k === 'ptr' ? (act.to.k === 'void' ? 1 : this.c.reg.sizeOf(act.to)) : 1;
      if (b.v === null) return { ...a, varOff: true };
      return { ...a, off: a.off + (op === '+' ? 1 : -1) * b.v * scale };
    }
    if (b.t === 'ptr' && a.t === 'scalar' && op === '+') return this.arith(op, b, a, bct ?? act);
    if (a.t === 'scalar' && b.t === 'scalar') {
      if (a.v === null || b.v === null) return UNKNOWN;
      const x = a.v;
      const y = b.v;
      switch (op) {
        case '+': return scalar(x + y);
        case '-': return scalar(x - y);
        case '*': return scalar(x * y);
        case '/': return scalar(y === 0 ? 0 : Math.trunc(x / y));
        case '%': return scalar(y === 0 ? x : x % y);
        case '<<': return scalar(x * 2 ** y);
        case '>>': return scalar(Math.floor(x / 2 ** y));
        case '&': return scalar(Number(BigInt.asUintN(64, BigInt(x)) & BigInt.asUintN(64, BigInt(y))));
        case '|': return scalar(Number(BigInt.asUintN(64, BigInt(x)) | BigInt.asUintN(64, BigInt(y))));
        case '^': return scalar(x ^ y);
        case '==': return scalar(x === y ? 1 : 0);
        case '!=': return scalar(x !== y ? 1 : 0);
        case '<': return scalar(x < y ? 1 : 0);
        case '>': return scalar(x > y ? 1 : 0);
        case '<=': return scalar(x <= y ? 1 : 0);
        case '>=': return scalar(x >= y ? 1 : 0);
      }
      return UNKNOWN;
    }
    if (a.t === 'ptr' && b.t === 'ptr' && (op === '==' || op === '!=' || op === '-')) return UNKNOWN;
    return UNKNOWN;
  }

  private evAssign(node: CNode, st: State): R[] {
    const left = node.childForFieldName('left')!;
    const right = node.childForFieldName('right')!;
    const op = node.childForFieldName('operator')?.text ?? '=';
    const out: R[] = [];
    for (const r of this.ev(right, st)) {
      if (op === '=') {
        for (const s of this.store(left, r.st, r.val)) out.push({ st: this.log(s, () => `${oneLine(left.text)} = ${valToString(r.val)}`), val: r.val, ct: r.ct });
      } else {
        for (const l of this.ev(left, r.st)) {
          const nv = this.arith(op.slice(0, -1), l.val, r.val, l.ct, r.ct);
          for (const s of this.store(left, l.st, nv)) out.push({ st: s, val: nv, ct: l.ct });
        }
      }
    }
    return out;
  }

  /** Assign to an lvalue: a local, a local array element, or memory through a pointer. */
  private store(left: CNode, st: State, val: Val): State[] {
    const n = unparen(left);
    if (n.type === 'identifier') {
      const b = this.lookup(st, n.text);
      if (!b) {
        if (this.c.unit.globals.has(n.text)) return [st];
        this.unsupported(`assignment to ${n.text}`);
      }
      return [this.setLocal(st, n.text, b.ct, val)];
    }
    if (n.type === 'subscript_expression') {
      const paths = this.localArrayPath(n, st);
      if (paths) {
        return paths.map((p) => {
          const cur = this.lookup(p.st, p.name)!;
          return this.setLocal(p.st, p.name, cur.ct, setPath(cur.val, p.idxs, val, () => this.unsupported('local array store out of bounds')));
        });
      }
    }
    // memory store
    let targets: { st: State; ptr: R; size: number; reg: number }[] = [];
    if (n.type === 'field_expression') {
      targets = this.fieldAddr(n, st).flatMap((r) => {
        if (r.lv === 'local') this.unsupported('store to a field of a local struct');
        return [{ st: r.r.st, ptr: r.r, size: this.c.reg.sizeOf(r.r.ct.k === 'ptr' ? r.r.ct.to : INT), reg: r.reg }];
      });
    } else if (n.type === 'pointer_expression') {
      targets = this.ev(n.childForFieldName('argument')!, st).map((r) => ({
        st: r.st,
        ptr: r,
        size: this.c.reg.sizeOf(r.ct.k === 'ptr' ? r.ct.to : INT),
        reg: 1,
      }));
    } else if (n.type === 'subscript_expression') {
      targets = this.subscriptAddr(n, st).map((r) => ({ st: r.st, ptr: r, size: this.c.reg.sizeOf(r.ct.k === 'ptr' ? r.ct.to : INT), reg: 1 }));
    } else this.unsupported(`store to ${n.type}`);
    return targets.map((t) => {
      this.checkMem(t.st, t.ptr.val, t.size, true, t.reg);
      return t.st;
    });
  }

  /** Address of `e->f` / `e.f`: a pointer value with the field's type. */
  private fieldAddr(node: CNode, st: State): ({ lv: 'mem'; r: R; reg: number } | { lv: 'local'; r: R; reg: number })[] {
    const arg = node.childForFieldName('argument')!;
    const field = node.childForFieldName('field')!.text;
    const arrow = node.childForFieldName('operator')?.text === '->' || node.text.slice(arg.text.length).trimStart().startsWith('->');
    const bases: R[] = arrow ? this.ev(arg, st) : this.addressOf(arg, st);
    const reg = isCallExpr(arg) ? 0 : 1;
    return bases.map((b) => {
      const sct = b.ct.k === 'ptr' ? b.ct.to : b.ct;
      if (sct.k !== 'struct') this.unsupported(`field ${field} of a non-struct`);
      const f = this.c.reg.field(sct.name, field);
      const layout = this.c.reg.layout(sct.name);
      if (!f) {
        if (!layout.known) return { lv: 'mem' as const, r: { st: b.st, val: this.walk(b.val, 0), ct: ptrTo(INT) }, reg };
        this.unsupported(`unknown field ${sct.name}.${field}`);
      }
      return { lv: 'mem' as const, r: { st: b.st, val: this.walk(b.val, f.offset), ct: ptrTo(f.type) }, reg };
    });
  }

  private walk(v: Val, off: number): Val {
    if (v.t === 'ptr') return { ...v, off: v.off + off };
    if (v.t === 'scalar') return v.v !== null ? scalar(v.v + off) : v;
    return UNKNOWN;
  }

  private addressOf(arg: CNode, st: State): R[] {
    const n = unparen(arg);
    switch (n.type) {
      case 'identifier': {
        const name = n.text;
        const b = this.lookup(st, name);
        if (b) return [{ st, val: this.stackPtr(), ct: ptrTo(b.ct) }];
        if (this.c.unit.maps.has(name)) {
          this.checkTracingMap(st, name);
          return [{ st, val: { t: 'map', name }, ct: ptrTo(VOID) }];
        }
        const g = this.c.unit.globals.get(name);
        if (g) {
          this.checkTracingGlobal(st, g.section);
          const lay = this.c.unit.sections.get(g.section)?.find((x) => x.name === name);
          return [
            {
              st,
              val: { t: 'ptr', kind: 'global', obj: g.section, off: lay?.offset ?? 0, varOff: false, maybeNull: false, id: 0, refId: 0, nonOwn: false, untrusted: false },
              ct: ptrTo(g.type),
            },
          ];
        }
        if (this.c.unit.functions.has(name) || this.isKnownCallee(name)) return [{ st, val: { t: 'func', name }, ct: { k: 'func' } }];
        this.unsupported(`address of ${name}`);
      }
      // falls through (unreachable)
      case 'field_expression':
        return this.fieldAddr(n, st).map((r) => r.r);
      case 'subscript_expression':
        return this.subscriptAddr(n, st);
      case 'compound_literal_expression':
        return [{ st, val: this.stackPtr(), ct: ptrTo(INT) }];
      case 'pointer_expression': {
        const op = n.childForFieldName('operator')?.text ?? n.text[0];
        if (op === '*') return this.ev(n.childForFieldName('argument')!, st);
        break;
      }
    }
    this.unsupported(`address of ${n.type}`);
  }

  private stackPtr(): Val {
    return { t: 'ptr', kind: 'stack', obj: 'stack', off: 0, varOff: false, maybeNull: false, id: 0, refId: 0, nonOwn: false, untrusted: false };
  }

  private subscriptAddr(n: CNode, st: State): R[] {
    const arr = n.childForFieldName('argument')!;
    const idxN = n.childForFieldName('index')!;
    const out: R[] = [];
    const a = unparen(arr);
    const g = a.type === 'identifier' && !this.lookup(st, a.text) ? this.c.unit.globals.get(a.text) : undefined;
    const bases = g ? this.addressOf(a, st).map((r) => ({ ...r, ct: ptrTo(g.type.k === 'array' ? g.type.of : g.type) })) : this.ev(arr, st);
    for (const b of bases) {
      for (const i of this.ev(idxN, b.st)) {
        const elemT = b.ct.k === 'ptr' ? b.ct.to : b.ct.k === 'array' ? b.ct.of : INT;
        const size = this.c.reg.sizeOf(elemT);
        const idx = i.val.t === 'scalar' ? i.val.v : null;
        const v = b.val.t === 'ptr' ? (idx === null ? { ...b.val, varOff: true } : { ...b.val, off: b.val.off + idx * size }) : UNKNOWN;
        out.push({ st: i.st, val: v, ct: ptrTo(elemT) });
      }
    }
    return out;
  }

  private evSubscript(node: CNode, st: State): R[] {
    const paths = this.localArrayPath(node, st);
    if (paths) {
      return paths.map((p) => {
        const cur = this.lookup(p.st, p.name)!;
        let v: Val = cur.val;
        let ct: CType = cur.ct;
        for (const i of p.idxs) {
          if (v.t !== 'array' || i < 0 || i >= v.elems.length) this.unsupported('local array read out of bounds');
          v = v.elems[i]!;
          ct = ct.k === 'array' ? ct.of : INT;
        }
        return { st: p.st, val: v, ct };
      });
    }
    return this.subscriptAddr(node, st).flatMap((r) => this.load(r, r.ct.k === 'ptr' ? r.ct.to : INT, 1));
  }

  /** `a[i][j]` on a local array: the variable and the constant indices (null when not a local array). */
  private localArrayPath(node: CNode, st: State): { st: State; name: string; idxs: number[] }[] | null {
    const idxNodes: CNode[] = [];
    let b = unparen(node);
    while (b.type === 'subscript_expression') {
      idxNodes.unshift(b.childForFieldName('index')!);
      b = unparen(b.childForFieldName('argument')!);
    }
    if (b.type !== 'identifier') return null;
    const bind = this.lookup(st, b.text);
    if (!bind || bind.val.t !== 'array') return null;
    let acc: { st: State; idxs: number[] }[] = [{ st, idxs: [] }];
    for (const ix of idxNodes) {
      const next: { st: State; idxs: number[] }[] = [];
      for (const a of acc) {
        for (const r of this.ev(ix, a.st)) {
          const v = r.val.t === 'scalar' ? r.val.v : null;
          if (v === null) this.unsupported('local array index not a known constant');
          next.push({ st: r.st, idxs: [...a.idxs, v] });
        }
      }
      acc = next;
    }
    return acc.map((a) => ({ ...a, name: b.text }));
  }

  /** Read through a pointer: the verifier's memory access checks, then the loaded value. */
  private load(p: R, ty: CType, reg: number): R[] {
    if (ty.k === 'struct' || ty.k === 'array') {
      // an aggregate "value" is only meaningful as an address; keep the pointer
      return [{ st: p.st, val: p.val, ct: ptrTo(ty) }];
    }
    const size = this.c.reg.sizeOf(ty);
    this.checkMem(p.st, p.val, size, false, reg);
    const v = p.val;
    let val: Val = UNKNOWN;
    if (v.t === 'ptr' && ty.k === 'ptr') {
      if (v.kind === 'alloc') val = { t: 'scalar', v: null, regType: this.c.sem.ptrWalkType };
      else if (v.kind === 'ctx' || v.kind === 'btf') val = { t: 'ptr', kind: 'btf', obj: ty.to.k === 'struct' ? ty.to.name : 'void', off: 0, varOff: false, maybeNull: false, id: 0, refId: 0, nonOwn: false, untrusted: true };
    }
    if (v.t === 'ptr' && v.kind === 'ctx') val = { t: 'scalar', v: null, varOff: true };
    return [{ st: p.st, val, ct: ty }];
  }

  private checkMem(st: State, v: Val, size: number, write: boolean, reg: number): void {
    if (v.t === 'scalar') this.fail(st, `R${reg} invalid mem access '${v.regType ?? 'scalar'}'`);
    if (v.t !== 'ptr') this.fail(st, `R${reg} invalid mem access '${regTypeStr(v)}'`);
    if (v.maybeNull) this.fail(st, `R${reg} invalid mem access '${regTypeStr(v)}'`);
    if (v.kind === 'alloc') {
      if (v.untrusted && write) this.fail(st, 'only read is supported');
      const hit = this.c.reg.specialFields(v.obj).find((f) => v.off < f.offset + f.size && f.offset < v.off + size);
      if (hit) this.fail(st, `direct access to ${hit.type} is disallowed`);
    } else if (v.kind === 'mapval' || v.kind === 'global') {
      const fields = v.kind === 'global' ? this.sectionFields(v.obj) : this.c.reg.specialFields(v.obj);
      const hit = fields.find((f) => v.off < f.offset + f.size && f.offset < v.off + size);
      if (hit) this.fail(st, `${hit.type} cannot be accessed directly by load/store`);
    }
  }

  /** Special fields of a data section, as its map's btf_record would list them. */
  private sectionFields(sec: string): { type: string; offset: number; size: number; contains?: { type: string; field: string } }[] {
    const out: { type: string; offset: number; size: number; contains?: { type: string; field: string } }[] = [];
    for (const v of this.c.unit.sections.get(sec) ?? []) {
      const base = v.type.k === 'array' ? v.type.of : v.type;
      const n = v.type.k === 'array' ? v.type.n : 1;
      if (base.k !== 'struct') continue;
      const es = this.c.reg.sizeOf(base);
      for (let i = 0; i < n; i++) {
        if (['bpf_spin_lock', 'bpf_list_head', 'bpf_rb_root', 'bpf_res_spin_lock'].includes(base.name)) {
          out.push({ type: base.name, offset: v.offset + i * es, size: es, ...(v.contains ? { contains: v.contains } : {}) });
        } else {
          for (const f of this.c.reg.specialFields(base.name)) out.push({ ...f, offset: f.offset + v.offset + i * es });
        }
      }
    }
    return out;
  }

  private recordFields(p: PtrVal): { type: string; offset: number; size: number; contains?: { type: string; field: string } }[] {
    if (p.kind === 'global') return this.sectionFields(p.obj);
    if (p.kind === 'mapval' || p.kind === 'alloc') return this.c.reg.specialFields(p.obj);
    return [];
  }

  private checkTracingGlobal(st: State, sec: string): void {
    if (!this.tracing) return;
    if (this.sectionFields(sec).some((f) => f.type === 'bpf_list_head' || f.type === 'bpf_rb_root')) this.fail(st, this.c.sem.msg.tracingGraph);
  }

  private checkTracingMap(st: State, name: string): void {
    if (!this.tracing) return;
    const m = this.c.unit.maps.get(name);
    if (m?.value?.k === 'struct' && this.c.reg.specialFields(m.value.name).some((f) => f.type === 'bpf_list_head' || f.type === 'bpf_rb_root')) {
      this.fail(st, this.c.sem.msg.tracingGraph);
    }
  }

  // ---------------------------------------------------------------- calls

  private evCall(node: CNode, st: State): R[] {
    const fnNode = node.childForFieldName('function')!;
    const argNodes = (node.childForFieldName('arguments')?.namedChildren ?? []).filter((x): x is CNode => !!x && x.type !== 'comment');
    let callee: string | null = null;
    const fnU = unparen(fnNode);
    if (fnU.type === 'identifier') {
      const b = this.lookup(st, fnU.text);
      if (b) {
        if (b.val.t !== 'func') this.unsupported(`call through ${fnU.text}`);
        callee = b.val.name;
      } else callee = fnU.text;
    } else {
      const r = this.ev(fnU, st);
      const f = r[0]?.val;
      if (f?.t !== 'func') this.unsupported('indirect call');
      callee = f.name;
    }
    // intrinsics with type arguments
    if (callee === 'container_of') {
      const [p, tArg, member] = argNodes;
      if (!p || !tArg || !member) this.unsupported('container_of arity');
      const ty = this.resolveTypeText(tArg.text.trim(), st);
      if (ty.k !== 'struct') this.unsupported('container_of of a non-struct');
      const f = this.c.reg.field(ty.name, member.text.trim());
      if (!f) this.unsupported(`container_of member ${member.text}`);
      return this.ev(p, st).map((r) => ({ st: r.st, val: this.walk(r.val, -f.offset), ct: ptrTo(ty) }));
    }
    if (callee === 'bpf_core_type_id_local' || callee === 'bpf_core_type_id_kernel') {
      return [{ st, val: { t: 'scalar', v: null, typeRef: argNodes[0]?.text.trim() ?? '' }, ct: LONG }];
    }
    if (callee === '__sink' || callee === 'barrier_var' || callee === 'bpf_nop_mov') return [{ st, val: UNKNOWN, ct: INT }];
    // evaluate arguments left to right
    let partial: { st: State; vals: R[] }[] = [{ st, vals: [] }];
    const base = baseKfuncName(callee);
    for (const a of argNodes) {
      const nxt: { st: State; vals: R[] }[] = [];
      for (const p of partial) {
        if ((base === 'bpf_obj_new' || base === 'bpf_percpu_obj_new') && /^__T\d+$/.test(a.text.trim()) && p.vals.length === 0) {
          nxt.push({ st: p.st, vals: [{ st: p.st, val: { t: 'scalar', v: null, typeRef: a.text.trim() }, ct: LONG }] });
          continue;
        }
        for (const r of this.ev(a, p.st)) nxt.push({ st: r.st, vals: [...p.vals, r] });
      }
      partial = nxt;
    }
    const out: R[] = [];
    for (const p of partial) {
      this.curLine = node.startPosition.row + 1;
      // approximate instruction index: argument set-up, then the call instruction itself
      const setup = p.vals.reduce((a, r, i) => a + argInsns(r, argNodes[i]), 0) + this.implicitArgs(callee);
      this.callInsn = p.st.insn + setup;
      const st = { ...p.st, insn: this.callInsn + 1 };
      out.push(...this.call(callee, p.vals, st, node));
    }
    return out;
  }

  readonly called = new Set<string>();

  /** The `meta__ign`/`off` arguments bpf_experimental.h's macros add to the `_impl` kfuncs. */
  private implicitArgs(callee: string): number {
    if (callee.endsWith('_impl')) return 0;
    switch (callee) {
      case 'bpf_obj_new':
      case 'bpf_percpu_obj_new':
      case 'bpf_obj_drop':
      case 'bpf_percpu_obj_drop':
      case 'bpf_refcount_acquire':
        return 1;
      case 'bpf_list_push_front':
      case 'bpf_list_push_back':
      case 'bpf_rbtree_add':
        return this.c.sem.hasRefcount ? 2 : 0;
      default:
        return 0;
    }
  }

  private call(callee: string, args: R[], st: State, node: CNode): R[] {
    this.called.add(callee);
    const fn = this.c.unit.functions.get(callee);
    if (fn && !fn.section) return this.callSubprog(fn, args, st);
    const base = baseKfuncName(callee);
    if (HELPERS.has(callee)) return this.callHelper(callee, args, st);
    const flags = this.c.kfuncFlags.get(callee) ?? this.c.kfuncFlags.get(base) ?? this.c.kfuncFlags.get(`${base}_impl`) ?? this.c.sem.defaultKfuncFlags[base];
    if (flags || GRAPH_KFUNCS.has(base)) return this.callKfunc(base, flags ?? [], args, st, node);
    this.unsupported(`call to ${callee}`);
  }

  private callSubprog(fn: FuncDef, args: R[], st: State): R[] {
    if (st.lock && !fn.isInline && !this.c.sem.staticCallsUnderLock) this.fail(st, 'function calls are not allowed while holding a lock');
    const frame = new Map<string, { ct: CType; val: Val }>();
    fn.params.forEach((p, i) => frame.set(p.name, { ct: p.type, val: args[i]?.val ?? UNKNOWN }));
    const s = cloneState(st);
    s.frames.push(frame);
    const saved = this.currentFn;
    this.currentFn = fn;
    const res = this.execBody(fn, this.log(s, () => `call ${fn.name}`));
    this.currentFn = saved;
    return res.map((r) => ({ st: { ...r.st, frames: r.st.frames.slice(0, -1) }, val: r.val, ct: fn.ret }));
  }

  private lockCheck(st: State, name: string, kind: 'helper' | 'kfunc'): void {
    if (!st.lock) return;
    const ok = kind === 'helper' ? this.c.sem.lockAllowedHelpers.has(name) : this.c.sem.lockAllowedKfuncs.has(name);
    if (!ok) this.fail(st, 'function calls are not allowed while holding a lock');
  }

  private newId(): number {
    return ++this.idGen;
  }

  private acquire(st: State): { st: State; id: number } {
    const id = this.newId();
    const s = cloneState(st);
    s.refs.push({ id, insn: this.callInsn, releaseOnUnlock: false });
    return { st: s, id };
  }

  /** release_reference: drop the ref and turn every register holding it into an unknown scalar. */
  private release(st: State, refId: number): State {
    const s = cloneState(st);
    s.refs = s.refs.filter((r) => r.id !== refId);
    mapAllVals(s, (x) => (x.t === 'ptr' && x.refId === refId ? UNKNOWN : x));
    return s;
  }

  private invalidateNonOwning(st: State): State {
    const s = cloneState(st);
    mapAllVals(s, (x) => (x.t === 'ptr' && x.nonOwn ? UNKNOWN : x));
    return s;
  }

  private callHelper(name: string, args: R[], st0: State): R[] {
    let st = st0;
    if (name === 'bpf_spin_lock' || name === 'bpf_spin_unlock') {
      if (st.cb > 0) this.fail(st, "can't spin_{lock,unlock} in rbtree cb");
      if (st.lock && name === 'bpf_spin_lock') {
        // process_spin_lock checks the argument first
      }
      const p = args[0]?.val ?? UNKNOWN;
      if (p.t !== 'ptr' || !(p.kind === 'mapval' || p.kind === 'global' || p.kind === 'alloc')) {
        this.fail(st, `R1 type=${regTypeStr(p)} expected=map_value, ptr_`);
      }
      if (p.maybeNull) this.fail(st, `R1 type=${regTypeStr(p)} expected=map_value, ptr_`);
      if (p.varOff) this.fail(st, "R1 doesn't have constant offset. bpf_spin_lock has to be at the constant offset");
      const locks = this.recordFields(p).filter((f) => f.type === 'bpf_spin_lock');
      if (!locks.length) this.fail(st, `${p.kind === 'alloc' ? 'local' : 'map'} '${p.obj}' has no valid bpf_spin_lock`);
      const lock = locks[0]!;
      if (p.off !== lock.offset) this.fail(st, `off ${p.off} doesn't point to 'struct bpf_spin_lock' that is at ${lock.offset}`);
      const key = this.allocKey(p);
      if (name === 'bpf_spin_lock') {
        if (st.lock) this.fail(st, 'Locking two bpf_spin_locks are not allowed');
        st = { ...cloneState(st), lock: { key, desc: valToString(p) } };
        return [{ st: this.log(st, () => `lock ${key}`), val: UNKNOWN, ct: VOID }];
      }
      if (!st.lock) this.fail(st, 'bpf_spin_unlock without taking a lock');
      if (st.lock.key !== key) this.fail(st, 'bpf_spin_unlock of different lock');
      if (this.c.sem.releaseOnUnlock) {
        for (const r of st.refs.filter((x) => x.releaseOnUnlock)) st = this.release(st, r.id);
      } else st = this.invalidateNonOwning(st);
      st = { ...cloneState(st), lock: null };
      return [{ st: this.log(st, () => `unlock ${key}: non-owning refs invalidated`), val: UNKNOWN, ct: VOID }];
    }
    this.lockCheck(st, name, 'helper');
    switch (name) {
      case 'bpf_map_lookup_elem':
      case 'bpf_map_lookup_percpu_elem': {
        const m = args[0]?.val;
        let mapName: string | null = null;
        if (m?.t === 'map') mapName = m.name;
        else if (m?.t === 'ptr' && m.kind === 'mapptr' && !m.maybeNull) mapName = `struct ${m.obj}`;
        else this.fail(st, `R1 type=${m ? regTypeStr(m) : 'scalar'} expected=map_ptr`);
        const def = this.c.unit.maps.get(mapName);
        if (!def) this.unsupported(`map ${mapName}`);
        const id = this.newId();
        if (def.innerMap && /OF_MAPS/.test(def.mapType)) {
          return [{ st, val: { t: 'ptr', kind: 'mapptr', obj: def.innerMap, off: 0, varOff: false, maybeNull: true, id, refId: 0, nonOwn: false, untrusted: false }, ct: ptrTo(VOID) }];
        }
        const vt = def.value;
        return [
          {
            st,
            val: { t: 'ptr', kind: 'mapval', obj: vt?.k === 'struct' ? vt.name : 'int', map: mapName, off: 0, varOff: false, maybeNull: true, id, refId: 0, nonOwn: false, untrusted: false },
            ct: ptrTo(vt ?? INT),
          },
        ];
      }
      case 'bpf_kptr_xchg': {
        const dst = args[0]?.val;
        const src = args[1]?.val ?? scalar(0);
        if (dst?.t !== 'ptr' || (dst.kind !== 'mapval' && dst.kind !== 'global' && dst.kind !== 'alloc')) this.fail(st, `R1 type=${dst ? regTypeStr(dst) : 'scalar'} expected=${this.c.sem.kptrXchgDst}`);
        let ty = 'unknown';
        const fld = dst.kind === 'mapval' || dst.kind === 'alloc' ? this.c.reg.layout(dst.obj).fields.find((f) => f.offset === dst.off) : undefined;
        if (fld?.type.k === 'ptr' && fld.type.to.k === 'struct') ty = fld.type.to.name;
        if (src.t === 'ptr') {
          if (src.kind !== 'alloc' || src.nonOwn || !src.refId) this.fail(st, `R2 type=${regTypeStr(src)} expected=ptr_, trusted_ptr_, rcu_ptr_`);
          st = this.release(st, src.refId);
        }
        const id = this.newId();
        const a = this.acquire(st);
        return [{ st: a.st, val: { t: 'ptr', kind: 'alloc', obj: ty, off: 0, varOff: false, maybeNull: true, id, refId: a.id, nonOwn: false, untrusted: false }, ct: ptrTo({ k: 'struct', name: ty }) }];
      }
      case 'bpf_this_cpu_ptr':
      case 'bpf_per_cpu_ptr': {
        const p = args[0]?.val ?? UNKNOWN;
        if (!(p.t === 'ptr' && p.kind === 'percpu' && !p.maybeNull)) this.fail(st, `R1 type=${regTypeStr(p)} expected=percpu_ptr_`);
        return [{ st, val: { ...p, kind: 'btf' }, ct: args[0]!.ct }];
      }
      default:
        return [{ st, val: UNKNOWN, ct: LONG }];
    }
  }

  private allocKey(p: PtrVal): string {
    if (p.kind === 'global') return `global:${p.obj}`;
    if (p.kind === 'mapval') return `map:${p.map}:${p.id}`;
    return `alloc:${p.id}`;
  }

  // ---------------------------------------------------------------- kfuncs

  private nullCheckApplies(flags: string[]): boolean {
    const f = this.c.sem.nullCheckFlags;
    return f === 'all' || flags.some((x) => f.has(x));
  }

  /** Generic per-argument checks of check_kfunc_args: NULL for trusted args, then check_func_arg_reg_off. */
  private argRegChecks(st: State, i: number, v: Val, flags: string[], release: boolean, nullable = false): void {
    const isNull = v.t === 'scalar' && v.v === 0;
    if (!nullable && this.nullCheckApplies(flags) && (isNull || (v.t === 'ptr' && v.maybeNull))) {
      this.fail(st, this.c.sem.msg.nullArg.replace('%d', String(i)));
    }
    if (v.t !== 'ptr') return;
    if (v.maybeNull && v.off !== 0) this.fail(st, `dereference of modified ${regTypeStr(v)} ptr R${i + 1} off=${v.off} disallowed`);
    if (v.varOff && v.kind !== 'mapval' && v.kind !== 'global') this.fail(st, `variable ${regTypeStr(v)} access var_off=${this.c.sem.varOffU32} disallowed`);
    if (release && v.off !== 0) this.fail(st, this.c.sem.msg.zeroOffRelease.replace('%d', String(i + 1)));
  }

  private isOwning(v: Val): v is PtrVal {
    return v.t === 'ptr' && v.kind === 'alloc' && !v.maybeNull && !v.nonOwn && !v.untrusted;
  }

  /** Head/root argument: map value or owning allocation, constant offset, field present, lock held. */
  private graphRootArg(st: State, i: number, v: Val, root: 'bpf_list_head' | 'bpf_rb_root'): { contains: { type: string; field: string } | undefined } {
    if (!(v.t === 'ptr' && ((v.kind === 'mapval' || v.kind === 'global') && !v.maybeNull || (v.kind === 'alloc' && !v.maybeNull && !v.untrusted)))) {
      this.fail(st, `arg#${i} expected pointer to map value or allocated object`);
    }
    if (v.kind === 'alloc' && !v.refId) this.fail(st, 'allocated object must be referenced');
    if (v.varOff) this.fail(st, `R${i + 1} doesn't have constant offset. ${root} has to be at the constant offset`);
    const fields = this.recordFields(v);
    const f = fields.find((x) => x.type === root && x.offset === v.off);
    if (!f) this.fail(st, `${root} not found at offset=${v.off}`);
    const lock = fields.find((x) => x.type === 'bpf_spin_lock');
    const lockOff = lock ? lock.offset : -1;
    const key = this.allocKey(v);
    if (!st.lock) this.fail(st, `bpf_spin_lock at off=${lockOff} must be held for ${root}`);
    if (st.lock.key !== key && !v.nonOwn) this.fail(st, `held lock and object are not in the same allocation\nbpf_spin_lock at off=${lockOff} must be held for ${root}`);
    return { contains: f.contains };
  }

  /** Node argument of push/add: an owning, referenced allocation whose node matches the head's __contains. */
  private graphNodeArg(
    st: State,
    i: number,
    v: Val,
    node: 'bpf_list_node' | 'bpf_rb_node',
    root: 'bpf_list_head' | 'bpf_rb_root',
    contains: { type: string; field: string } | undefined,
    remove: false | 'bpf_rbtree_remove' | 'bpf_rbtree_left' | 'bpf_rbtree_right' = false,
  ): PtrVal {
    if (remove) {
      // v6.16+: "non-owning or refcounted" means NON_OWN_REF or ref_obj_id != 0 (an owning reference)
      const ok = v.t === 'ptr' && v.kind === 'alloc' && ((v.nonOwn && !v.refId) || (this.c.sem.removeAcceptsRefcountedOwning && this.isOwning(v)));
      if (!ok) this.fail(st, remove === 'bpf_rbtree_remove' ? this.c.sem.msg.rbtreeRemoveNonOwning : `${remove} can only take non-owning or refcounted bpf_rb_node pointer`);
      if (st.cb > 0 && remove === 'bpf_rbtree_remove') this.fail(st, 'rbtree_remove not allowed in rbtree cb');
    } else {
      if (!this.isOwning(v)) this.fail(st, `arg#${i} expected pointer to allocated object`);
      if (!v.refId) this.fail(st, 'allocated object must be referenced');
    }
    const p = v as PtrVal;
    const fields = this.c.reg.specialFields(p.obj);
    const f = fields.find((x) => x.type === node && x.offset === p.off);
    if (!f) this.fail(st, `${node} not found at offset=${p.off}`);
    if (contains) {
      const want = this.c.reg.field(contains.type, contains.field);
      const wantOff = want?.offset ?? -1;
      if (contains.type !== p.obj) {
        this.fail(st, `operation on ${root} expects arg#${i} ${node} at offset=${wantOff} in struct ${contains.type}, but arg is at offset=${p.off} in struct ${p.obj}`);
      }
      if (wantOff !== p.off) this.fail(st, `arg#${i} offset=${p.off}, but expected ${node} at offset=${wantOff} in struct ${contains.type}`);
    }
    return p;
  }

  private nodeOf(contains: { type: string; field: string } | undefined): { obj: string; off: number } {
    if (!contains) return { obj: 'unknown', off: 0 };
    return { obj: contains.type, off: this.c.reg.field(contains.type, contains.field)?.offset ?? 0 };
  }

  private callKfunc(name: string, flags: string[], argsAll: R[], st0: State, node: CNode): R[] {
    let st = st0;
    const args = argsAll.slice(0, GRAPH_ARITY[name] ?? argsAll.length);
    const vals = args.map((a) => a.val);
    if ((name === 'bpf_rcu_read_lock' || name === 'bpf_rcu_read_unlock') && st.cb > 0 && this.c.sem.range !== '6.3' && this.c.sem.range !== '6.2' && this.c.sem.range !== '6.4-6.7') {
      this.fail(st, `Calling ${name} in unnecessary rbtree callback`);
    }
    this.lockCheck(st, name, 'kfunc');
    const acquire = flags.includes('KF_ACQUIRE');
    const retNull = flags.includes('KF_RET_NULL');
    const releaseFlag = flags.includes('KF_RELEASE');
    const mkRet = (s: State, obj: string, off: number, opts: { owning: boolean; maybeNull: boolean; nonOwn?: boolean; kind?: PtrVal['kind'] }): R => {
      let id = 0;
      let refId = 0;
      let ss = s;
      if (opts.maybeNull) id = this.newId();
      if (opts.owning) {
        const a = this.acquire(ss);
        ss = a.st;
        refId = a.id;
        id = a.id;
      }
      if (!id) id = this.newId();
      const val: PtrVal = { t: 'ptr', kind: opts.kind ?? 'alloc', obj, off, varOff: false, maybeNull: opts.maybeNull, id, refId, nonOwn: !!opts.nonOwn, untrusted: false };
      return { st: this.log(ss, () => `${name} -> ${valToString(val)}`), val, ct: ptrTo({ k: 'struct', name: obj }) };
    };
    switch (name) {
      case 'bpf_obj_new':
      case 'bpf_percpu_obj_new': {
        const t = vals[0];
        if (t?.t !== 'scalar') this.fail(st, 'R1 must be a known constant');
        if (t.typeRef === undefined) {
          if (t.v !== null && (t.v < 0 || t.v > 0xffffffff)) this.fail(st, 'local type ID argument must be in range [0, U32_MAX]');
          this.unsupported('bpf_obj_new_impl with a numeric type id');
        }
        const ty = /^__T\d+$/.test(t.typeRef) ? this.resolveTypeText(t.typeRef, st) : this.typeFromText(t.typeRef);
        if (ty.k !== 'struct' || this.c.reg.decls.get(ty.name)?.kind === 'union' || !this.c.reg.layout(ty.name).known) this.fail(st, this.c.sem.msg.objNewNotStruct);
        return [mkRet(st, ty.name, 0, { owning: acquire, maybeNull: retNull, kind: name === 'bpf_percpu_obj_new' ? 'percpu' : 'alloc' })];
      }
      case 'bpf_obj_drop':
      case 'bpf_percpu_obj_drop': {
        const v = vals[0] ?? UNKNOWN;
        this.argRegChecks(st, 0, v, flags, false);
        if (!(v.t === 'ptr' && (v.kind === 'alloc' || v.kind === 'percpu') && !v.maybeNull && !v.nonOwn && !v.untrusted)) this.fail(st, 'arg#0 expected pointer to allocated object');
        if (!v.refId) this.fail(st, 'allocated object must be referenced');
        if (v.off !== 0) this.fail(st, this.c.sem.msg.zeroOffRelease.replace('%d', '1'));
        st = this.release(st, v.refId);
        return [{ st: this.log(st, () => `${name}: ref ${v.refId} released`), val: UNKNOWN, ct: VOID }];
      }
      case 'bpf_list_push_front':
      case 'bpf_list_push_back':
      case 'bpf_rbtree_add': {
        const rb = name === 'bpf_rbtree_add';
        const rootT = rb ? 'bpf_rb_root' : 'bpf_list_head';
        const nodeT = rb ? 'bpf_rb_node' : 'bpf_list_node';
        this.argRegChecks(st, 0, vals[0] ?? UNKNOWN, flags, false);
        const { contains } = this.graphRootArg(st, 0, vals[0] ?? UNKNOWN, rootT);
        this.argRegChecks(st, 1, vals[1] ?? UNKNOWN, flags, false);
        const n = this.graphNodeArg(st, 1, vals[1] ?? UNKNOWN, nodeT, rootT, contains);
        if (this.c.sem.releaseOnUnlock) {
          st = cloneState(st);
          for (const r of st.refs) if (r.id === n.refId) r.releaseOnUnlock = true;
          const refId = n.refId;
          mapAllVals(st, (x) => (x.t === 'ptr' && x.refId === refId ? { ...x, untrusted: true } : x));
        } else {
          const refId = n.refId;
          st = cloneState(st);
          mapAllVals(st, (x) => (x.t === 'ptr' && x.refId === refId ? { ...x, nonOwn: true, refId: 0 } : x));
          st.refs = st.refs.filter((r) => r.id !== refId);
        }
        st = this.log(st, () => `${name}: node ref ${n.refId} -> ${this.c.sem.releaseOnUnlock ? 'release_on_unlock' : 'non-owning'}`);
        if (rb) {
          const cb = vals[2];
          if (cb?.t !== 'func') this.unsupported('bpf_rbtree_add without a static callback');
          const fn = this.c.unit.functions.get(cb.name);
          if (!fn) this.unsupported(`callback ${cb.name}`);
          this.verifyRbtreeCallback(fn, st, contains);
        }
        return [{ st, val: scalar(null), ct: INT }];
      }
      case 'bpf_list_pop_front':
      case 'bpf_list_pop_back':
      case 'bpf_list_front':
      case 'bpf_list_back':
      case 'bpf_rbtree_first':
      case 'bpf_rbtree_root': {
        const rb = name.startsWith('bpf_rbtree');
        this.argRegChecks(st, 0, vals[0] ?? UNKNOWN, flags, false);
        const { contains } = this.graphRootArg(st, 0, vals[0] ?? UNKNOWN, rb ? 'bpf_rb_root' : 'bpf_list_head');
        const n = this.nodeOf(contains);
        const nonOwn = !acquire;
        return [mkRet(st, n.obj, n.off, { owning: acquire, maybeNull: retNull, nonOwn })];
      }
      case 'bpf_rbtree_remove':
      case 'bpf_rbtree_left':
      case 'bpf_rbtree_right': {
        this.argRegChecks(st, 0, vals[0] ?? UNKNOWN, flags, false);
        const { contains } = this.graphRootArg(st, 0, vals[0] ?? UNKNOWN, 'bpf_rb_root');
        this.argRegChecks(st, 1, vals[1] ?? UNKNOWN, flags, false);
        const n = this.graphNodeArg(st, 1, vals[1] ?? UNKNOWN, 'bpf_rb_node', 'bpf_rb_root', contains, name);
        const r = mkRet(st, n.obj, n.off, { owning: acquire, maybeNull: retNull, nonOwn: !acquire });
        if (name === 'bpf_rbtree_remove' && this.c.sem.removeInvalidatesNonOwning) {
          const s = this.invalidateNonOwning(r.st);
          return [{ ...r, st: this.log(s, 'bpf_rbtree_remove: non-owning refs invalidated') }];
        }
        return [r];
      }
      case 'bpf_refcount_acquire': {
        const v = vals[0] ?? UNKNOWN;
        this.argRegChecks(st, 0, v, flags, false);
        if (!(v.t === 'ptr' && v.kind === 'alloc' && !v.untrusted && (v.nonOwn || v.refId))) this.fail(st, 'arg#0 is neither owning or non-owning ref');
        if (!this.c.reg.specialFields(v.obj).some((f) => f.type === 'bpf_refcount')) this.fail(st, "arg#0 doesn't point to a type with bpf_refcount field");
        const owningArg = !v.nonOwn && !v.maybeNull;
        return [mkRet(st, v.obj, v.off, { owning: acquire, maybeNull: retNull && !owningArg })];
      }
      case 'bpf_rcu_read_lock': {
        if (st.rcu > 0 && this.c.sem.range !== '7.x') this.fail(st, `nested rcu read lock (kernel function ${name})`);
        return [{ st: { ...cloneState(st), rcu: st.rcu + 1 }, val: UNKNOWN, ct: VOID }];
      }
      case 'bpf_rcu_read_unlock': {
        if (st.rcu === 0) this.fail(st, `unmatched rcu read unlock (kernel function ${name})`);
        return [{ st: { ...cloneState(st), rcu: st.rcu - 1 }, val: UNKNOWN, ct: VOID }];
      }
    }
    // a kfunc the verifier does not special-case: its flags decide
    vals.forEach((v, i) => this.argRegChecks(st, i, v, flags, releaseFlag && v.t === 'ptr' && !!v.refId));
    if (releaseFlag) {
      const refd = vals.filter((v): v is PtrVal => v.t === 'ptr' && !!v.refId);
      if (refd.length === 0) this.fail(st, `release kernel function ${name} expects refcounted PTR_TO_BTF_ID`);
      st = this.release(st, refd[0]!.refId);
    }
    void node;
    if (acquire || retNull) return [mkRet(st, 'kernel', 0, { owning: acquire, maybeNull: retNull, kind: 'btf' })];
    return [{ st, val: UNKNOWN, ct: LONG }];
  }

  /** rbtree_add's less() callback: verified right away, with R1/R2 non-owning refs to the node type. */
  private verifyRbtreeCallback(fn: FuncDef, st: State, contains: { type: string; field: string } | undefined): void {
    const n = this.nodeOf(contains);
    const frame = new Map<string, { ct: CType; val: Val }>();
    fn.params.forEach((p, i) => {
      // set_rbtree_add_callback_state: R1/R2 are non-owning graph nodes; no new ids are generated
      const v: Val = i < 2 ? { t: 'ptr', kind: 'alloc', obj: n.obj, off: n.off, varOff: false, maybeNull: false, id: 0, refId: 0, nonOwn: true, untrusted: false } : UNKNOWN;
      frame.set(p.name, { ct: p.type, val: v });
    });
    const s = cloneState(st);
    s.frames.push(frame);
    s.cb++;
    const saved = this.currentFn;
    const line = this.curLine;
    this.currentFn = fn;
    this.execBody(fn, this.log(s, () => `verify rbtree callback ${fn.name}`));
    this.currentFn = saved;
    this.curLine = line;
  }
}

// ---------------------------------------------------------------- instruction counting
//
// alloc_insn in "Unreleased reference id=%d alloc_insn=%d" is the index of the BPF call
// instruction that acquired the reference. The model has no compiler, so it approximates
// clang's code for the straight-line path: each argument costs one instruction (a register
// move or a small constant), two for a 64-bit immediate load (ld_imm64: address of a global,
// map or function, a BTF type id) or for a pointer plus a field offset; the call costs one;
// a conditional jump costs one, plus one when its branch returns a constant (r0 = K is
// hoisted before the jump); a call result that must survive a later call costs one move to a
// callee-saved register. Early-return blocks are placed out of line.

function argInsns(r: R, node: CNode | undefined): number {
  const v = r.val;
  if (v.t === 'func' || v.t === 'map') return 2;
  if (v.t === 'scalar' && v.typeRef !== undefined) return 2;
  if (v.t === 'ptr' && v.kind === 'global') return 2;
  if (node && v.t === 'ptr' && /^&/.test(node.text.trim()) && node.text.includes('->') && v.off !== 0) return 2;
  return 1;
}

const CALL_RE = /\b(?!if\b|while\b|for\b|sizeof\b|switch\b|return\b|typeof\b|container_of\b)[A-Za-z_]\w*\s*\(/;

/** Extra instructions around statement i of a block: {before, after} it. */
function stmtInsns(stmts: CNode[], i: number): { before: number; after: number } {
  const s = stmts[i]!;
  if (s.type === 'if_statement') {
    const cons = s.childForFieldName('consequence');
    const c = cons?.type === 'compound_statement' && cons.namedChildren.length === 1 ? cons.namedChildren[0]! : cons;
    const retConst = c?.type === 'return_statement' && /^\s*return\s+-?\d+\s*;/.test(c.text);
    return { before: retConst ? 2 : 1, after: 0 };
  }
  // x = call(...); / T x = call(...);
  let target: string | null = null;
  let rhs: CNode | null = null;
  if (s.type === 'expression_statement') {
    const e = s.namedChildren[0];
    if (e?.type === 'assignment_expression' && e.childForFieldName('left')?.type === 'identifier') {
      target = e.childForFieldName('left')!.text;
      rhs = e.childForFieldName('right');
    } else if (e?.type === 'assignment_expression') return { before: 0, after: 1 };
  } else if (s.type === 'declaration') {
    const d = s.childrenForFieldName('declarator')[0];
    if (d?.type === 'init_declarator') {
      let n: CNode | null = d.childForFieldName('declarator');
      while (n && n.type === 'pointer_declarator') n = n.childForFieldName('declarator');
      target = n?.type === 'identifier' ? n.text : null;
      rhs = d.childForFieldName('value');
    }
  }
  if (!target || !rhs || !CALL_RE.test(rhs.text)) return { before: 0, after: 0 };
  const ref = new RegExp(`\\b${target}\\b`);
  for (let j = i + 1; j < stmts.length; j++) {
    const t = stmts[j]!.text;
    if (!CALL_RE.test(t)) continue;
    const reassigns = new RegExp(`^\\s*${target}\\s*=[^=]`).test(t);
    if (reassigns) return { before: 0, after: 0 };
    const later = stmts.slice(j).some((x) => ref.test(x.text));
    return { before: 0, after: later ? 1 : 0 };
  }
  return { before: 0, after: 0 };
}

// ---------------------------------------------------------------- helpers

function mkArray(t: CType, fill: Val): Val {
  if (t.k !== 'array') return fill;
  return { t: 'array', elems: Array.from({ length: t.n }, () => mkArray(t.of, fill)) };
}

function setPath(v: Val, idxs: number[], nv: Val, oob: () => never): Val {
  if (idxs.length === 0) return nv;
  if (v.t !== 'array') return oob();
  const [i, ...rest] = idxs as [number, ...number[]];
  if (i < 0 || i >= v.elems.length) return oob();
  const elems = v.elems.slice();
  elems[i] = setPath(v.elems[i]!, rest, nv, oob);
  return { t: 'array', elems };
}

function unparen(n: CNode): CNode {
  let x = n;
  while (x.type === 'parenthesized_expression' && x.namedChildren[0]) x = x.namedChildren[0];
  return x;
}

function isNullLit(n: CNode): boolean {
  const x = unparen(n);
  return x.text === 'NULL' || x.text === '0' || x.type === 'null';
}

function isCallExpr(n: CNode): boolean {
  const x = unparen(n);
  if (x.type === 'call_expression') return true;
  if (x.type === 'cast_expression') return isCallExpr(x.childForFieldName('value')!);
  return false;
}

function parseNum(text: string): number {
  const t = text.replace(/[uUlL]+$/, '');
  if (/^0x/i.test(t)) return Number.parseInt(t, 16);
  if (/^0[0-7]+$/.test(t)) return Number.parseInt(t, 8);
  const v = Number(t);
  return Number.isNaN(v) ? 0 : v;
}

function oneLine(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 100 ? `${t.slice(0, 97)}...` : t;
}

const keyCache = new WeakMap<State, string>();

function stateKey(s: State, eraseScalars = false): string {
  if (!eraseScalars) {
    const c = keyCache.get(s);
    if (c !== undefined) return c;
    const k = computeStateKey(s, false);
    keyCache.set(s, k);
    return k;
  }
  return computeStateKey(s, true);
}

function computeStateKey(s: State, eraseScalars: boolean): string {
  const show = (v: Val): string => {
    switch (v.t) {
      case 'scalar':
        return eraseScalars ? 's' : v.v === null ? `s${v.regType ?? ''}${v.typeRef ?? ''}${v.varOff ? 'v' : ''}` : `s${v.v}`;
      case 'ptr':
        return `p${v.kind}${v.obj}:${v.map ?? ''}:${v.off}${v.varOff ? 'v' : ''}:${v.id}:${v.refId}${v.maybeNull ? '?' : ''}${v.nonOwn ? 'n' : ''}${v.untrusted ? 'u' : ''}`;
      case 'array':
        return `[${v.elems.map(show).join(',')}]`;
      case 'func':
        return `f${v.name}`;
      case 'map':
        return `m${v.name}`;
    }
  };
  const parts: string[] = [];
  for (const f of s.frames) {
    const vs: string[] = [];
    for (const [k, b] of f) vs.push(`${k}=${show(b.val)}`);
    parts.push(vs.join(';'));
  }
  return `${parts.join('|')}#${s.refs.map((r) => `${r.id}${r.releaseOnUnlock ? 'u' : ''}`).join(',')}#${s.lock?.key ?? ''}#${s.rcu}#${s.cb}`;
}

/** Group states equal up to scalar values; keep one per group with the differing scalars unknown. */
function mergeScalarVariants(states: State[]): State[] {
  const groups = new Map<string, State[]>();
  for (const s of states) {
    const k = stateKey(s, true);
    const g = groups.get(k);
    if (g) g.push(s);
    else groups.set(k, [s]);
  }
  const out: State[] = [];
  for (const g of groups.values()) {
    if (g.length === 1) {
      out.push(g[0]!);
      continue;
    }
    const base = cloneState(g[0]!);
    base.frames.forEach((f, fi) => {
      for (const [name, b] of f) {
        if (b.val.t !== 'scalar') continue;
        const same = g.every((o) => {
          const ov = o.frames[fi]?.get(name)?.val;
          return ov?.t === 'scalar' && ov.v === (b.val as { v: number | null }).v;
        });
        if (!same) f.set(name, { ct: b.ct, val: UNKNOWN });
      }
    });
    out.push(base);
  }
  return out;
}

function dedupe<T>(xs: T[], key: (x: T) => string): T[] {
  if (xs.length < 2) return xs;
  const seen = new Set<string>();
  const out: T[] = [];
  for (const x of xs) {
    const k = key(x);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(x);
  }
  return out;
}

