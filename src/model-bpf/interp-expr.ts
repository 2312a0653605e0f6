/**
 * The verifier model's interpreter, layer 3: expressions, conditions with NULL-check refinement, C static types.
 */
import type { ANode as CNode } from './ast.js';
import { INT, LONG, VOID, primitiveType, ptrTo, type CType } from './ctypes.js';
import { declType, specifierType } from './unit.js';
import { UNKNOWN, cloneState, mapAllVals, scalar, valToString, type PtrVal, type State, type Val } from './values.js';
import { GRAPH_KFUNCS, HELPERS, baseKfuncName, type R } from './interp-base.js';
import { MemoryInterp } from './interp-memory.js';
import { isCallExpr, isNullLit, oneLine, parseNum, unparen } from './c-nodes.js';
import { argInsns } from './insn-count.js';

export abstract class ExprInterp extends MemoryInterp {
  // ---------------------------------------------------------------- conditions

  /** Both outcomes of a condition, with NULL-check refinement of every alias (by reg id). */
  protected branch(node: CNode, st: State): { st: State; truth: boolean }[] {
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

  protected truthOf(v: Val, st: State): { st: State; truth: boolean }[] {
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
  protected refineNull(st: State, v: PtrVal, isNull: boolean): State {
    const s = cloneState(st);
    const id = v.id;
    mapAllVals(s, (x) => {
      if (x.t !== 'ptr' || !x.maybeNull || x.id !== id) return x;
      return isNull ? scalar(0) : { ...x, maybeNull: false };
    });
    if (isNull && v.refId) s.refs = s.refs.filter((r) => r.id !== v.refId);
    return s;
  }

  protected ev(node: CNode, st: State): R[] {
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

  protected evIdent(name: string, st: State): R {
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

  protected isKnownCallee(name: string): boolean {
    const b = baseKfuncName(name);
    return HELPERS.has(name) || GRAPH_KFUNCS.has(b) || this.c.kfuncFlags.has(name) || this.c.kfuncFlags.has(b);
  }

  protected typeDescriptor(tn: CNode): CType {
    const t = tn.childForFieldName('type');
    const d = tn.childForFieldName('declarator');
    if (!t) return INT;
    if (!d) return specifierType(t, this.c.reg, this.currentFn?.marks ?? []);
    return declType(t, d, this.c.reg, this.currentFn?.marks ?? []).type;
  }

  protected sizeofExpr(node: CNode, st: State): number {
    const tn = node.childForFieldName('type');
    if (tn) return this.c.reg.sizeOf(this.typeDescriptor(tn));
    const v = node.childForFieldName('value') ?? node.namedChildren[0];
    if (!v) return 8;
    return this.c.reg.sizeOf(this.staticType(v, st));
  }

  /** The C type of an expression without evaluating it (sizeof, typeof). */
  protected staticType(node: CNode, st: State): CType {
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
  protected resolveTypeText(placeholder: string, st: State): CType {
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

  protected typeFromText(text: string): CType {
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

  protected evBinary(node: CNode, st: State): R[] {
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

  protected arith(op: string, a: Val, b: Val, act: CType, bct?: CType): Val {
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

  protected evAssign(node: CNode, st: State): R[] {
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

  // ---------------------------------------------------------------- calls

  protected evCall(node: CNode, st: State): R[] {
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
}
