/**
 * The verifier model's interpreter, layer 5: statements and control flow (blocks, goto,
 * bounded loop unrolling, both sides of unknown conditions), program exit checks, and
 * runProgram, the entry point.
 */
import type { ANode as CNode } from './ast.js';
import { type CType } from './ctypes.js';
import { declType, specifierType, type FuncDef } from './unit.js';
import { UNKNOWN, scalar, valToString, type State, type Trail, type Val } from './values.js';
import { MAX_CONST_LOOP, MAX_STATES, MAX_UNKNOWN_LOOP, UNINIT, Reject, Unsupported, type Outcome, type RunContext } from './interp-base.js';
import { CallInterp } from './interp-calls.js';
import { dedupe, mergeScalarVariants, mkArray, stateKey } from './state-ops.js';
import { oneLine } from './c-nodes.js';
import { stmtInsns } from './insn-count.js';

export { Reject, Unsupported, baseKfuncName, type RunContext } from './interp-base.js';
export type { RunResult } from './interp-base.js';
import type { RunResult } from './interp-base.js';

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

class Interpreter extends CallInterp {
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

  protected checkExit(st: State): void {
    if (st.lock) this.fail(st, this.c.sem.msg.spinUnlockMissing);
    if (st.rcu > 0) this.fail(st, 'bpf_rcu_read_unlock is missing');
    if (st.refs.length) {
      const lines = st.refs.map((r) => `Unreleased reference id=${r.id} alloc_insn=${r.insn}`);
      if (this.c.sem.msg.leakSuffix) lines.push(this.c.sem.msg.leakSuffix);
      this.fail(st, lines.join('\n'));
    }
  }

  /** Run a function body in a new frame that the caller already pushed. Returns the states at return. */
  protected execBody(fn: FuncDef, st: State): { st: State; val: Val }[] {
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

  protected execStmt(node: CNode, st: State): Outcome[] {
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

  protected execBlock(stmts: CNode[], st: State): Outcome[] {
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

  protected execDecl(node: CNode, st: State): State[] {
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

  protected execLoop(node: CNode, st: State): Outcome[] {
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
}
