import type { CParser } from '../kernel/c-parser.js';
import { wrapNode, type ANode } from './ast.js';
import { parseCSync } from '../kernel/c-parser.js';
import { INT, LONG, VOID, primitiveType, ptrTo, type CType, type FieldDecl, type TypeRegistry } from './ctypes.js';

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

const BLANK_ANNOTATIONS = new Set([
  '__failure', '__success', '__failure_unpriv', '__success_unpriv', '__msg', '__msg_unpriv', '__regex', '__regex_unpriv',
  '__retval', '__retval_unpriv', '__description', '__log_level', '__flag', '__btf_path', '__auxiliary', '__auxiliary_unpriv',
  '__not_msg', '__not_msg_unpriv', '__xlated', '__xlated_unpriv', '__jited', '__jited_unpriv', '__arch_x86_64', '__arch_arm64',
  '__arch_riscv64', '__arch_s390x', '__caps_unpriv', '__load_if_JITed', '__stderr', '__stdout', '__stderr_unpriv',
  '__stdout_unpriv', '__linear_size', '__hidden', '__always_inline', '__noinline', '__weak', '__ksym', '__kconfig',
  '__percpu_kptr', '__kptr', '__kptr_untrusted', '__kptr_ref', '__rcu', '__aligned', '__contains', '__used', '__naked',
  '__exception_cb', '__arg_ctx', '__arg_nonnull', '__arg_nullable', '__arg_trusted', '__arg_arena', '__uptr', '__percpu',
  '__user', '__iomem', '__force', '__must_check', '__maybe_unused', '__noreturn', '__packed', '__test_tag',
]);

const TYPE_ARG_CALLS: Record<string, number> = {
  container_of: 1,
  bpf_obj_new: 0,
  bpf_percpu_obj_new: 0,
  bpf_core_type_id_local: 0,
  bpf_core_type_id_kernel: 0,
};

export interface Mark {
  offset: number;
  name: string;
  arg: string | null;
}

/** Find the index of the matching close paren for text[open] === '('. */
function matchParen(text: string, open: number): number {
  let d = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    } else if (c === '(') d++;
    else if (c === ')' && --d === 0) return i;
  }
  return -1;
}

function splitTopLevel(s: string): { text: string; start: number }[] {
  const parts: { text: string; start: number }[] = [];
  let d = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(' || c === '{' || c === '[') d++;
    else if (c === ')' || c === '}' || c === ']') d--;
    else if (c === ',' && d === 0) {
      parts.push({ text: s.slice(start, i), start });
      start = i + 1;
    }
  }
  parts.push({ text: s.slice(start), start });
  return parts;
}

const blank = (s: string): string => s.replace(/[^\n]/g, ' ');

/** Source rewriting that keeps lines: type arguments → placeholders, SEC/annotations → blanks, BPF_PROG(name, → name(. */
export function prepareSource(text: string, typeArgs: Map<string, string>): { text: string; marks: Mark[]; maps: MapDef[] } {
  let out = text;
  // BPF_PROG(name, args) / BPF_KPROBE(name, args) → name(args)
  out = out.replace(/\b(BPF_PROG|BPF_PROG2|BPF_KPROBE|BPF_KRETPROBE|BPF_STRUCT_OPS|BPF_STRUCT_OPS_SLEEPABLE)\(\s*(\w+)\s*,?/g, (_m, _k: string, n: string) => `${n}(`);
  // `bool (cb)(args)` parameters (function type, not pointer) → `bool (*cb)(args)`
  out = out.replace(/\b(bool|int|long|void|__u64|u64)\s*\(\s*(\w+)\s*\)\s*\(/g, (_m, t: string, n: string) => `${t} (*${n})(`);
  // bpf_for(i, a, b) → for (i = a; i < b; i++)
  out = out.replace(/\bbpf_for\s*\(\s*(\w+)\s*,\s*([^,]+?)\s*,\s*([^)]+?)\s*\)/g, (_m, i: string, a: string, b: string) => `for (${i} = ${a}; ${i} < ${b}; ${i}++)`);
  out = out.replace(/\bbpf_repeat\s*\(\s*([^)]+?)\s*\)/g, (_m, n: string) => `for (int __rep = 0; __rep < ${n}; __rep++)`);
  // type arguments
  const re = new RegExp(`\\b(${Object.keys(TYPE_ARG_CALLS).join('|')})\\s*\\(`, 'g');
  let m: RegExpExecArray | null;
  let n = typeArgs.size;
  const typedefs: string[] = [];
  const tpieces: string[] = [];
  let tcopied = 0;
  while ((m = re.exec(out))) {
    const open = m.index + m[0].length - 1;
    const close = matchParen(out, open);
    if (close < 0) continue;
    const inner = out.slice(open + 1, close);
    const parts = splitTopLevel(inner);
    const idx = TYPE_ARG_CALLS[m[1]!]!;
    const part = parts[idx];
    if (!part) continue;
    let tt = part.text.trim();
    const tyOf = /^(?:typeof|__typeof__)\s*\(\s*((?:struct|union)\s*\{[\s\S]*\})\s*\)$/.exec(tt);
    if (tyOf) tt = tyOf[1]!;
    if (/^__T\d+$/.test(tt)) continue;
    const name = `__T${n++}`;
    typeArgs.set(name, tt.replace(/\s+/g, ' '));
    if (tt.includes('{')) typedefs.push(`typedef ${tt.replace(/\s+/g, ' ')} ${name}_t;`);
    const nl = part.text.split('\n').length - 1;
    const replacement = ` ${name} ${'\n'.repeat(nl)}`;
    const absStart = open + 1 + part.start;
    tpieces.push(out.slice(tcopied, absStart), replacement);
    tcopied = absStart + part.text.length;
    re.lastIndex = tcopied;
  }
  tpieces.push(out.slice(tcopied));
  out = tpieces.join('');
  // maps: struct definitions with __uint(type, ...) and the variables SEC(".maps")
  const maps: MapDef[] = [];
  const mapTypes = new Map<string, { mapType: string; value: CType | null; inner: string | null; text: string }>();
  const parseMapBody = (body: string): { mapType: string; value: CType | null; inner: string | null; text: string } => {
    const mt = /__uint\(\s*type\s*,\s*(\w+)\s*\)/.exec(body)?.[1] ?? 'unknown';
    const vt = /__type\(\s*value\s*,\s*([^)]+)\)/.exec(body)?.[1]?.trim();
    const inner = /__array\(\s*values\s*,\s*struct\s+(\w+)\s*\)/.exec(body)?.[1] ?? null;
    return { mapType: mt, value: vt ? simpleType(vt) : null, inner, text: body };
  };
  const structRe = /\bstruct\s+(\w*)\s*\{/g;
  const toBlank: [number, number][] = [];
  while ((m = structRe.exec(out))) {
    const open = m.index + m[0].length - 1;
    let d = 0;
    let close = -1;
    for (let i = open; i < out.length; i++) {
      if (out[i] === '{') d++;
      else if (out[i] === '}' && --d === 0) {
        close = i;
        break;
      }
    }
    if (close < 0) continue;
    const body = out.slice(open + 1, close);
    if (!/__uint\(\s*type\b/.test(body)) continue;
    const def = parseMapBody(body);
    const tail = /^\s*(\w+)?\s*(SEC\s*\(\s*"\.maps"\s*\))?/.exec(out.slice(close + 1))!;
    const defName = m[1] || `__anonmap${m.index}`;
    mapTypes.set(defName, def);
    if (tail[1] && tail[2]) maps.push({ name: tail[1], mapType: def.mapType, value: def.value, innerMap: def.inner });
    // blank through the terminating ';' (skipping an initializer)
    let end = close + 1;
    let dd = 0;
    for (; end < out.length; end++) {
      if (out[end] === '{') dd++;
      else if (out[end] === '}') dd--;
      else if (out[end] === ';' && dd === 0) break;
    }
    toBlank.push([m.index, end + 1]);
    structRe.lastIndex = end + 1;
  }
  const declRe = /\bstruct\s+(\w+)\s+(\w+)\s+SEC\s*\(\s*"\.maps"\s*\)\s*;/g;
  while ((m = declRe.exec(out))) {
    const def = mapTypes.get(m[1]!);
    if (def) {
      maps.push({ name: m[2]!, mapType: def.mapType, value: def.value, innerMap: m[1]! });
      toBlank.push([m.index, m.index + m[0].length]);
    }
  }
  // inner maps are named by their struct type; keep the struct def name → value
  for (const [name, def] of mapTypes) {
    maps.push({ name: `struct ${name}`, mapType: def.mapType, value: def.value, innerMap: def.inner });
  }
  if (toBlank.length) {
    const bp: string[] = [];
    let c = 0;
    for (const [a, b] of toBlank.sort((x, y) => x[0] - y[0])) {
      if (a < c) continue;
      bp.push(out.slice(c, a), blank(out.slice(a, b)));
      c = b;
    }
    bp.push(out.slice(c));
    out = bp.join('');
  }
  // SEC(...) and annotation macros → blanks, remembered by offset
  const marks: Mark[] = [];
  const annRe = /\b(SEC|__[a-zA-Z_]\w*)\b/g;
  const pieces: string[] = [];
  let copied = 0;
  while ((m = annRe.exec(out))) {
    const name = m[1]!;
    if (name !== 'SEC' && !BLANK_ANNOTATIONS.has(name)) continue;
    let end = m.index + name.length;
    let arg: string | null = null;
    let j = end;
    while (out[j] === ' ' || out[j] === '\t') j++;
    if (out[j] === '(') {
      const close = matchParen(out, j);
      if (close > 0) {
        arg = out.slice(j + 1, close);
        end = close + 1;
      }
    }
    if (name === 'SEC' && arg !== null) {
      arg = [...arg.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((x) => x[1]).join('');
    }
    marks.push({ offset: m.index, name, arg });
    pieces.push(out.slice(copied, m.index), blank(out.slice(m.index, end)));
    copied = end;
    annRe.lastIndex = end;
  }
  pieces.push(out.slice(copied));
  out = pieces.join('');
  // attributes that tree-sitter handles badly after a declarator
  out = out.replace(/__attribute__\s*\(\((?:[^()]|\([^()]*\))*\)\)/g, (s) => blank(s));
  if (typedefs.length) out += '\n' + typedefs.join('\n');
  return { text: out, marks, maps };
}

function simpleType(text: string): CType {
  const t = text.trim();
  const sm = /^(struct|union)\s+(\w+)\s*(\**)$/.exec(t);
  if (sm) {
    let c: CType = { k: 'struct', name: sm[2]! };
    for (let i = 0; i < sm[3]!.length; i++) c = ptrTo(c);
    return c;
  }
  return primitiveType(t.replace(/\*+$/, '').trim()) ?? LONG;
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
