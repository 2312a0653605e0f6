/** Small tree-sitter node helpers for the interpreter. */
import type { ANode as CNode } from './ast.js';

export function unparen(n: CNode): CNode {
  let x = n;
  while (x.type === 'parenthesized_expression' && x.namedChildren[0]) x = x.namedChildren[0];
  return x;
}
export function isNullLit(n: CNode): boolean {
  const x = unparen(n);
  return x.text === 'NULL' || x.text === '0' || x.type === 'null';
}
export function isCallExpr(n: CNode): boolean {
  const x = unparen(n);
  if (x.type === 'call_expression') return true;
  if (x.type === 'cast_expression') return isCallExpr(x.childForFieldName('value')!);
  return false;
}
export function parseNum(text: string): number {
  const t = text.replace(/[uUlL]+$/, '');
  if (/^0x/i.test(t)) return Number.parseInt(t, 16);
  if (/^0[0-7]+$/.test(t)) return Number.parseInt(t, 8);
  const v = Number(t);
  return Number.isNaN(v) ? 0 : v;
}
export function oneLine(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 100 ? `${t.slice(0, 97)}...` : t;
}
