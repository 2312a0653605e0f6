/**
 * The verifier model's interpreter, layer 4: calls. Static subprograms (inlined), helpers, and kfuncs by their
 * flags, with the graph kfuncs special-cased as the verifier's special_kfunc_list does.
 */
import type { ANode as CNode } from './ast.js';
import { INT, LONG, VOID, ptrTo, type CType } from './ctypes.js';
import { type FuncDef } from './unit.js';
import { UNKNOWN, cloneState, mapAllVals, regTypeStr, scalar, valToString, type PtrVal, type State, type Val } from './values.js';
import { GRAPH_ARITY, GRAPH_KFUNCS, HELPERS, baseKfuncName, type R } from './interp-base.js';
import { ExprInterp } from './interp-expr.js';

export abstract class CallInterp extends ExprInterp {
  /** The `meta__ign`/`off` arguments bpf_experimental.h's macros add to the `_impl` kfuncs. */
  protected implicitArgs(callee: string): number {
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

  protected call(callee: string, args: R[], st: State, node: CNode): R[] {
    this.called.add(callee);
    const fn = this.c.unit.functions.get(callee);
    if (fn && !fn.section) return this.callSubprog(fn, args, st);
    const base = baseKfuncName(callee);
    if (HELPERS.has(callee)) return this.callHelper(callee, args, st);
    const flags = this.c.kfuncFlags.get(callee) ?? this.c.kfuncFlags.get(base) ?? this.c.kfuncFlags.get(`${base}_impl`) ?? this.c.sem.defaultKfuncFlags[base];
    if (flags || GRAPH_KFUNCS.has(base)) return this.callKfunc(base, flags ?? [], args, st, node);
    this.unsupported(`call to ${callee}`);
  }

  protected callSubprog(fn: FuncDef, args: R[], st: State): R[] {
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

  protected lockCheck(st: State, name: string, kind: 'helper' | 'kfunc'): void {
    if (!st.lock) return;
    const ok = kind === 'helper' ? this.c.sem.lockAllowedHelpers.has(name) : this.c.sem.lockAllowedKfuncs.has(name);
    if (!ok) this.fail(st, 'function calls are not allowed while holding a lock');
  }

  protected callHelper(name: string, args: R[], st0: State): R[] {
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

  protected allocKey(p: PtrVal): string {
    if (p.kind === 'global') return `global:${p.obj}`;
    if (p.kind === 'mapval') return `map:${p.map}:${p.id}`;
    return `alloc:${p.id}`;
  }

  // ---------------------------------------------------------------- kfuncs

  protected nullCheckApplies(flags: string[]): boolean {
    const f = this.c.sem.nullCheckFlags;
    return f === 'all' || flags.some((x) => f.has(x));
  }

  /** Generic per-argument checks of check_kfunc_args: NULL for trusted args, then check_func_arg_reg_off. */
  protected argRegChecks(st: State, i: number, v: Val, flags: string[], release: boolean, nullable = false): void {
    const isNull = v.t === 'scalar' && v.v === 0;
    if (!nullable && this.nullCheckApplies(flags) && (isNull || (v.t === 'ptr' && v.maybeNull))) {
      this.fail(st, this.c.sem.msg.nullArg.replace('%d', String(i)));
    }
    if (v.t !== 'ptr') return;
    if (v.maybeNull && v.off !== 0) this.fail(st, `dereference of modified ${regTypeStr(v)} ptr R${i + 1} off=${v.off} disallowed`);
    if (v.varOff && v.kind !== 'mapval' && v.kind !== 'global') this.fail(st, `variable ${regTypeStr(v)} access var_off=${this.c.sem.varOffU32} disallowed`);
    if (release && v.off !== 0) this.fail(st, this.c.sem.msg.zeroOffRelease.replace('%d', String(i + 1)));
  }

  protected isOwning(v: Val): v is PtrVal {
    return v.t === 'ptr' && v.kind === 'alloc' && !v.maybeNull && !v.nonOwn && !v.untrusted;
  }

  /** Head/root argument: map value or owning allocation, constant offset, field present, lock held. */
  protected graphRootArg(st: State, i: number, v: Val, root: 'bpf_list_head' | 'bpf_rb_root'): { contains: { type: string; field: string } | undefined } {
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
  protected graphNodeArg(
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

  protected nodeOf(contains: { type: string; field: string } | undefined): { obj: string; off: number } {
    if (!contains) return { obj: 'unknown', off: 0 };
    return { obj: contains.type, off: this.c.reg.field(contains.type, contains.field)?.offset ?? 0 };
  }

  protected callKfunc(name: string, flags: string[], argsAll: R[], st0: State, node: CNode): R[] {
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
  protected verifyRbtreeCallback(fn: FuncDef, st: State, contains: { type: string; field: string } | undefined): void {
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
