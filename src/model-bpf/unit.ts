import type { CParser } from '../kernel/c-parser.js';
import { wrapNode, type ANode } from './ast.js';
import { parseCSync } from '../kernel/c-parser.js';
import { INT, VOID, primitiveType, ptrTo, type CType, type FieldDecl, type TypeRegistry } from './ctypes.js';
import { prepareSource, type Mark } from './prepare-source.js';

export type { Mark } from './prepare-source.js';

/**
 * One BPF object file as the model sees it: struct types, global variables grouped by data
 * section, maps, functions (static subprograms and SEC() programs).
 */
export interface MapDef {
  name: string;
  mapType: string;
  value: CType | null;
  /** map-in-map: the inner map's definition name */
  innerMap: string | null;
}

export interface GlobalVar {
  name: string;
  type: CType;
  section: string;
  contains?: { type: string; field: string };
  declIndex: number;
}

export interface FuncDef {
  name: string;
  node: ANode;
  body: ANode;
  params: { name: string; type: CType }[];
  ret: CType;
  isStatic: boolean;
  isInline: boolean;
  section: string | null;
  file: string;
  line: number;
  /** SEC/annotation marks of the function's source (for local struct definitions with __contains). */
  marks: Mark[];
}

export interface Unit {
  files: string[];
  functions: Map<string, FuncDef>;
  globals: Map<string, GlobalVar>;
  maps: Map<string, MapDef>;
  /** placeholder identifier (__T<n>) → type text */
  typeArgs: Map<string, string>;
  /** datasec name → variables in layout order with their offsets */
  sections: Map<string, { name: string; offset: number; type: CType; contains?: { type: string; field: string } }[]>;
  /** Constructs the unit could not make sense of (reported per program when used). */
  problems: string[];
}

const lineOf = (n: ANode): number => n.startPosition.row + 1;

/** Build the unit from the preprocessed main file and its local includes. */
export function buildUnit(
  parser: CParser,
  sources: { path: string; text: string }[],
  reg: TypeRegistry,
): Unit {
  const unit: Unit = {
    files: sources.map((s) => s.path),
    functions: new Map(),
    globals: new Map(),
    maps: new Map(),
    typeArgs: new Map(),
    sections: new Map(),
    problems: [],
  };
  const refOrder: string[] = [];
  let declIndex = 0;
  for (const src of sources) {
    const prep = prepareSource(src.text, unit.typeArgs);
    for (const mp of prep.maps) unit.maps.set(mp.name, mp);
    const tree = parseCSync(parser, prep.text);
    const root = wrapNode(tree.rootNode, new Map());
    const marks = prep.marks;
    const marksIn = (a: number, b: number): Mark[] => marks.filter((k) => k.offset >= a && k.offset < b);
    let prevEnd = 0;
    for (const node of root.namedChildren) {
      if (!node) continue;
      const ownMarks = marksIn(prevEnd, node.endIndex);
      prevEnd = node.endIndex;
      collectStructs(node, reg, marks);
      const sec = ownMarks.find((k) => k.name === 'SEC')?.arg ?? null;
      if (node.type === 'function_definition') {
        const fd = functionDef(node, reg, marks, src.path);
        if (fd) {
          fd.section = sec;
          fd.isInline = ownMarks.some((k) => k.name === '__always_inline') || /\binline\b/.test(node.text.slice(0, 80));
          unit.functions.set(fd.name, fd);
          for (const id of node.text.matchAll(/\b[A-Za-z_]\w*\b/g)) refOrder.push(id[0]);
        }
      } else if (node.type === 'declaration') {
        const typeNode = node.childForFieldName('type');
        if (!typeNode) continue;
        const isExtern = node.children.some((c) => c?.type === 'storage_class_specifier' && c.text === 'extern');
        for (const d of node.childrenForFieldName('declarator')) {
          if (!d) continue;
          const { name, type } = declType(typeNode, d, reg, marks);
          if (!name || isExtern || type.k === 'func') continue;
          const contains = containsMark(marks, node.startIndex, node.endIndex);
          const section = sec ?? '.bss';
          if (section === 'license' || section === '.maps') continue;
          unit.globals.set(name, { name, type, section, ...(contains ? { contains } : {}), declIndex: declIndex++ });
        }
      }
    }
  }
  // datasec layout: clang emits the variables of a section in the order of their first use
  const first = new Map<string, number>();
  refOrder.forEach((id, i) => {
    if (unit.globals.has(id) && !first.has(id)) first.set(id, i);
  });
  const bySec = new Map<string, GlobalVar[]>();
  for (const g of unit.globals.values()) bySec.set(g.section, [...(bySec.get(g.section) ?? []), g]);
  for (const [sec, vars] of bySec) {
    vars.sort((a, b) => (first.get(a.name) ?? 1e9 + a.declIndex) - (first.get(b.name) ?? 1e9 + b.declIndex));
    let off = 0;
    const laid: { name: string; offset: number; type: CType; contains?: { type: string; field: string } }[] = [];
    for (const v of vars) {
      const sa = reg.sizeAlign(v.type);
      const align = Math.max(sa.align, 8); // private(): __attribute__((aligned(8)))
      off = Math.ceil(off / align) * align;
      laid.push({ name: v.name, offset: off, type: v.type, ...(v.contains ? { contains: v.contains } : {}) });
      off += sa.size;
    }
    unit.sections.set(sec, laid);
  }
  return unit;
}

function containsMark(marks: Mark[], a: number, b: number): { type: string; field: string } | undefined {
  const c = marks.find((k) => k.name === '__contains' && k.offset >= a && k.offset < b);
  if (!c?.arg) return undefined;
  const [type, field] = c.arg.split(',').map((s) => s.trim());
  return type && field ? { type, field } : undefined;
}

/** Register every struct/union definition with a body found under node. */
function collectStructs(node: ANode, reg: TypeRegistry, marks: Mark[]): void {
  if (node.type === 'type_definition') {
    const t = node.childForFieldName('type');
    const d = node.childForFieldName('declarator');
    if (t && d && (t.type === 'struct_specifier' || t.type === 'union_specifier') && t.childForFieldName('body')) {
      structFromSpecifier(t, reg, marks, d.text);
      return;
    }
  }
  if ((node.type === 'struct_specifier' || node.type === 'union_specifier') && node.childForFieldName('body')) {
    structFromSpecifier(node, reg, marks);
  }
  if (node.type === 'function_definition') return; // locals are registered when interpreted
  for (const c of node.namedChildren) if (c) collectStructs(c, reg, marks);
}

export function structFromSpecifier(spec: ANode, reg: TypeRegistry, marks: Mark[], forcedName?: string): string {
  const nameNode = spec.childForFieldName('name');
  const body = spec.childForFieldName('body');
  const name = forcedName ?? nameNode?.text ?? `__anon${spec.id}`;
  if (!body) return name;
  if (reg.decls.has(name) && !forcedName && nameNode) return name;
  const fields: FieldDecl[] = [];
  for (const fdecl of body.namedChildren) {
    if (!fdecl || fdecl.type !== 'field_declaration') continue;
    const t = fdecl.childForFieldName('type');
    if (!t) continue;
    const decls = fdecl.childrenForFieldName('declarator').filter((x): x is ANode => !!x);
    const contains = containsMark(marks, fdecl.startIndex, fdecl.endIndex);
    const kptr = marks.some((k) => (k.name === '__kptr' || k.name === '__kptr_untrusted' || k.name === '__percpu_kptr') && k.offset >= fdecl.startIndex && k.offset < fdecl.endIndex);
    if (decls.length === 0) {
      // anonymous member struct/union
      const ty = specifierType(t, reg, marks);
      fields.push({ name: '', type: ty });
      continue;
    }
    for (const d of decls) {
      const r = declType(t, d, reg, marks);
      fields.push({ name: r.name ?? '', type: r.type, ...(contains ? { contains } : {}), ...(kptr ? { kptr } : {}) });
    }
  }
  reg.add({ name, kind: spec.type === 'union_specifier' ? 'union' : 'struct', fields, anonymous: !nameNode });
  return name;
}

export function specifierType(t: ANode, reg: TypeRegistry, marks: Mark[]): CType {
  if (t.type === 'struct_specifier' || t.type === 'union_specifier') {
    const name = t.childForFieldName('body') ? structFromSpecifier(t, reg, marks) : (t.childForFieldName('name')?.text ?? 'unknown');
    return { k: 'struct', name };
  }
  if (t.type === 'primitive_type' || t.type === 'sized_type_specifier' || t.type === 'type_identifier') {
    const p = primitiveType(t.text);
    if (p) return p;
    if (t.text === 'bool') return { k: 'int', size: 1 };
    return { k: 'struct', name: t.text };
  }
  if (t.type === 'enum_specifier') return INT;
  return INT;
}

export function declType(typeNode: ANode, decl: ANode, reg: TypeRegistry, marks: Mark[]): { name: string | null; type: CType } {
  let ty = specifierType(typeNode, reg, marks);
  const wrap: ((t: CType) => CType)[] = [];
  let d: ANode | null = decl;
  let name: string | null = null;
  while (d) {
    switch (d.type) {
      case 'identifier':
      case 'field_identifier':
      case 'type_identifier':
        name = d.text;
        d = null;
        break;
      case 'init_declarator':
        d = d.childForFieldName('declarator');
        break;
      case 'pointer_declarator':
      case 'abstract_pointer_declarator':
        wrap.push((t) => ptrTo(t));
        d = d.childForFieldName('declarator');
        break;
      case 'array_declarator':
      case 'abstract_array_declarator': {
        const sizeNode = d.childForFieldName('size');
        const n = sizeNode ? Number.parseInt(sizeNode.text, 0) : 0;
        wrap.push((t) => ({ k: 'array', of: t, n: Number.isNaN(n) ? 0 : n }));
        d = d.childForFieldName('declarator');
        break;
      }
      case 'function_declarator':
      case 'abstract_function_declarator':
        wrap.push(() => ({ k: 'func' }));
        d = d.childForFieldName('declarator');
        break;
      case 'parenthesized_declarator':
      case 'abstract_parenthesized_declarator':
        d = d.namedChildren.find((c) => !!c) ?? null;
        break;
      default:
        d = null;
    }
  }
  // The outermost declarator operator applies first to the base type (T *x[3][2]: array 3 of array 2 of T *).
  for (const w of wrap) ty = w(ty);
  // a pointer to function stays a 'func' value for our purposes
  if (ty.k === 'ptr' && ty.to.k === 'func') ty = { k: 'func' };
  return { name, type: ty };
}

function functionDef(node: ANode, reg: TypeRegistry, marks: Mark[], file: string): FuncDef | null {
  const typeNode = node.childForFieldName('type');
  let decl = node.childForFieldName('declarator');
  const body = node.childForFieldName('body');
  if (!typeNode || !decl || !body) return null;
  let ret = specifierType(typeNode, reg, marks);
  while (decl && decl.type === 'pointer_declarator') {
    ret = ptrTo(ret);
    decl = decl.childForFieldName('declarator');
  }
  if (!decl || decl.type !== 'function_declarator') return null;
  const nameNode = decl.childForFieldName('declarator');
  const paramsNode = decl.childForFieldName('parameters');
  if (!nameNode) return null;
  const params: { name: string; type: CType }[] = [];
  for (const p of paramsNode?.namedChildren ?? []) {
    if (!p || p.type !== 'parameter_declaration') continue;
    const pt = p.childForFieldName('type');
    const pd = p.childForFieldName('declarator');
    if (!pt) continue;
    if (!pd) {
      if (pt.text !== 'void') params.push({ name: `__arg${params.length}`, type: specifierType(pt, reg, marks) });
      continue;
    }
    const r = declType(pt, pd, reg, marks);
    params.push({ name: r.name ?? `__arg${params.length}`, type: r.type });
  }
  const isStatic = node.children.some((c) => c?.type === 'storage_class_specifier' && c.text === 'static');
  return {
    name: nameNode.text,
    node,
    body,
    params,
    ret: ret.k === 'void' ? VOID : ret,
    isStatic,
    isInline: false,
    section: null,
    file,
    line: lineOf(node),
    marks,
  };
}
