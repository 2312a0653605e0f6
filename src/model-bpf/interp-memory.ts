/**
 * The verifier model's interpreter, layer 2: memory. Addresses (fields, subscripts, locals), loads and stores with the
 * verifier's access checks (NULL, released, untrusted, special fields), data-section layouts.
 */
import type { ANode as CNode } from './ast.js';
import { INT, VOID, ptrTo, type CType } from './ctypes.js';
import { UNKNOWN, regTypeStr, type PtrVal, type State, type Val } from './values.js';
import { InterpBase, type R } from './interp-base.js';
import { setPath } from './state-ops.js';
import { isCallExpr, unparen } from './c-nodes.js';

export abstract class MemoryInterp extends InterpBase {
  /** Assign to an lvalue: a local, a local array element, or memory through a pointer. */
  protected store(left: CNode, st: State, val: Val): State[] {
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
  protected fieldAddr(node: CNode, st: State): ({ lv: 'mem'; r: R; reg: number } | { lv: 'local'; r: R; reg: number })[] {
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

  protected addressOf(arg: CNode, st: State): R[] {
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

  protected subscriptAddr(n: CNode, st: State): R[] {
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

  protected evSubscript(node: CNode, st: State): R[] {
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
  protected localArrayPath(node: CNode, st: State): { st: State; name: string; idxs: number[] }[] | null {
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
  protected load(p: R, ty: CType, reg: number): R[] {
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

  protected checkMem(st: State, v: Val, size: number, write: boolean, reg: number): void {
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
  protected sectionFields(sec: string): { type: string; offset: number; size: number; contains?: { type: string; field: string } }[] {
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

  protected recordFields(p: PtrVal): { type: string; offset: number; size: number; contains?: { type: string; field: string } }[] {
    if (p.kind === 'global') return this.sectionFields(p.obj);
    if (p.kind === 'mapval' || p.kind === 'alloc') return this.c.reg.specialFields(p.obj);
    return [];
  }

  protected checkTracingGlobal(st: State, sec: string): void {
    if (!this.tracing) return;
    if (this.sectionFields(sec).some((f) => f.type === 'bpf_list_head' || f.type === 'bpf_rb_root')) this.fail(st, this.c.sem.msg.tracingGraph);
  }

  protected checkTracingMap(st: State, name: string): void {
    if (!this.tracing) return;
    const m = this.c.unit.maps.get(name);
    if (m?.value?.k === 'struct' && this.c.reg.specialFields(m.value.name).some((f) => f.type === 'bpf_list_head' || f.type === 'bpf_rb_root')) {
      this.fail(st, this.c.sem.msg.tracingGraph);
    }
  }
}
