import type { ANode as CNode } from './ast.js';
import type { R } from './interp-base.js';

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

export function argInsns(r: R, node: CNode | undefined): number {
  const v = r.val;
  if (v.t === 'func' || v.t === 'map') return 2;
  if (v.t === 'scalar' && v.typeRef !== undefined) return 2;
  if (v.t === 'ptr' && v.kind === 'global') return 2;
  if (node && v.t === 'ptr' && /^&/.test(node.text.trim()) && node.text.includes('->') && v.off !== 0) return 2;
  return 1;
}

const CALL_RE = /\b(?!if\b|while\b|for\b|sizeof\b|switch\b|return\b|typeof\b|container_of\b)[A-Za-z_]\w*\s*\(/;

/** Extra instructions around statement i of a block: {before, after} it. */
export function stmtInsns(stmts: CNode[], i: number): { before: number; after: number } {
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
