/**
 * Facts that need the C parser (tree-sitter): struct members, kfunc definitions and which
 * members the verifier's state-comparison functions read. Synchronous: the caller loads the
 * parser once (loadCParser()) and passes it in. Pure apart from the wasm parser.
 */
import type { FunctionReads, KfuncDef, KfuncParam, StructFacts, StructMember } from '../model/kernel-facts.js';
import { parseCSync, type CNode, type CParser } from './c-parser.js';
import { blankRanges, maskComments, normaliseSpace } from './c-text.js';
import { findFunctionSpans } from './extract-text-facts.js';
import type { MacroScan } from './scan-kfunc-macros.js';

/** Innermost identifier of a declarator (field_identifier / identifier), or null. */
function declName(node: CNode | null): CNode | null {
  let n: CNode | null = node;
  while (n) {
    if (n.type === 'identifier' || n.type === 'field_identifier' || n.type === 'type_identifier') return n;
    const next: CNode | null = n.childForFieldName('declarator') ?? n.namedChildren.find((c) => c !== null && /declarator|identifier/.test(c.type)) ?? null;
    if (next === n) return null;
    n = next;
  }
  return null;
}

/** Text of a declaration with the declared name cut out ("struct btf *btf" -> "struct btf *"). */
function typeWithoutName(decl: CNode, name: CNode | null, skipFrom?: number): string {
  const text = decl.text;
  const base = decl.startIndex;
  let t = name ? text.slice(0, name.startIndex - base) + text.slice(name.endIndex - base) : text;
  if (skipFrom !== undefined) t = t.slice(0, skipFrom - base);
  return normaliseSpace(t.replace(/;\s*$/, ''));
}

function membersOf(body: CNode, file: string, out: StructMember[]): void {
  for (const fd of body.namedChildren) {
    if (!fd) continue;
    if (fd.type.startsWith('preproc_')) {
      membersOf(fd, file, out);
      continue;
    }
    if (fd.type !== 'field_declaration') continue;
    const typeNode = fd.childForFieldName('type');
    const declarators = fd.childrenForFieldName('declarator').filter((d): d is CNode => d !== null);
    if (declarators.length === 0) {
      // anonymous struct/union: its members belong to the outer struct (reg->btf)
      const inner = typeNode?.childForFieldName('body');
      if (inner) membersOf(inner, file, out);
      continue;
    }
    let typeText = typeNode ? normaliseSpace(typeNode.type.endsWith('_specifier') && typeNode.childForFieldName('body') ? `${typeNode.text.split('{')[0]}{...}` : typeNode.text) : '';
    const quals = fd.namedChildren.filter((c) => c?.type === 'type_qualifier').map((c) => c?.text).join(' ');
    if (quals) typeText = `${quals} ${typeText}`;
    for (const d of declarators) {
      const id = declName(d);
      if (!id) continue;
      const dText = d.text;
      const rel = id.startIndex - d.startIndex;
      const decoration = normaliseSpace(dText.slice(0, rel) + dText.slice(rel + id.text.length));
      out.push({ file, line: id.startPosition.row + 1, name: id.text, type: normaliseSpace(`${typeText} ${decoration}`) });
    }
  }
}

/** Named struct definitions (all, or those `only` accepts). */
export function extractStructs(parser: CParser, file: string, text: string, only?: (name: string) => boolean): StructFacts[] {
  const tree = parseCSync(parser, text);
  try {
    const out: StructFacts[] = [];
    for (const s of tree.rootNode.descendantsOfType('struct_specifier')) {
      if (!s) continue;
      const name = s.childForFieldName('name');
      const body = s.childForFieldName('body');
      if (!name || !body) continue;
      if (only && !only(name.text)) continue;
      const members: StructMember[] = [];
      membersOf(body, file, members);
      out.push({ file, line: s.startPosition.row + 1, name: name.text, members });
    }
    return out;
  } finally {
    tree.delete();
  }
}

function paramSuffix(name: string): string | null {
  const i = name.indexOf('__', 1);
  return i > 0 && i + 2 < name.length ? name.slice(i) : null;
}

interface DefContext {
  file: string;
  masked: string;
  scan: MacroScan;
  annotations: number[];
  names: ReadonlySet<string>;
  /** where the parsed text starts in the file */
  byteOffset: number;
  rowOffset: number;
}

function defOf(fn: CNode, ctx: DefContext): KfuncDef | null {
  let decl = fn.childForFieldName('declarator');
  let stars = 0;
  while (decl && decl.type === 'pointer_declarator') {
    stars++;
    decl = decl.childForFieldName('declarator');
  }
  if (!decl || decl.type !== 'function_declarator') return null;
  const nameNode = decl.childForFieldName('declarator');
  if (!nameNode || nameNode.type !== 'identifier') return null;
  const name = nameNode.text;
  const headStart = fn.startIndex + ctx.byteOffset;
  const nameStart = nameNode.startIndex + ctx.byteOffset;
  // an annotation between the end of the previous top-level thing and the name
  let annotated = false;
  for (const a of ctx.annotations) {
    if (a > nameStart) break;
    if (a >= headStart - 64 && !/[;}]/.test(ctx.masked.slice(a, headStart))) annotated = true;
  }
  if (!annotated && !ctx.names.has(name)) return null;
  const typeNode = fn.childForFieldName('type');
  const isStatic = fn.namedChildren.some((c) => c?.type === 'storage_class_specifier' && c.text === 'static');
  const quals = fn.namedChildren.filter((c) => c?.type === 'type_qualifier').map((c) => c?.text ?? '');
  const baseType = normaliseSpace([...quals, typeNode?.text ?? 'int'].join(' '));
  const returnType = stars > 0 ? `${baseType} ${'*'.repeat(stars)}` : baseType;
  const params: KfuncParam[] = [];
  const paramTexts: string[] = [];
  for (const p of decl.childForFieldName('parameters')?.namedChildren ?? []) {
    if (!p) continue;
    if (p.type === 'variadic_parameter') {
      paramTexts.push('...');
      continue;
    }
    if (p.type !== 'parameter_declaration') continue;
    const id = declName(p.childForFieldName('declarator'));
    const type = typeWithoutName(p, id);
    if (type === 'void' && !id) continue;
    paramTexts.push(normaliseSpace(p.text));
    const pname = id?.text ?? '';
    params.push({ name: pname, type, isPointer: type.includes('*') || type.includes('['), suffix: paramSuffix(pname) });
  }
  const region = ctx.scan.hasDefsMarkers ? ctx.scan.defsRegions.some(([s, e]) => headStart >= s && headStart < e) : null;
  const sep = returnType.endsWith('*') ? '' : ' ';
  return {
    file: ctx.file,
    line: nameNode.startPosition.row + 1 + ctx.rowOffset,
    name,
    returnType,
    returnsPointer: stars > 0,
    returnsStructPointer: stars > 0 && /^(const\s+)?struct\b/.test(baseType),
    returnsVoid: stars === 0 && baseType === 'void',
    params,
    isStatic,
    hasBpfKfuncAnnotation: annotated,
    insideKfuncDefs: region,
    prototype: `${isStatic ? 'static ' : ''}${returnType}${sep}${name}(${paramTexts.join(', ') || 'void'})`,
  };
}

/**
 * Function definitions of a file that are kfuncs: annotated `__bpf_kfunc`, or named in `names`
 * (the BTF_ID_FLAGS names of the tree). `scan` is the file's macro scan (blank ranges,
 * annotation offsets, __bpf_kfunc_start_defs regions). Kernel-style definitions are found
 * by text and only their heads are parsed; anything left over is found by parsing the file.
 */
export function extractKfuncDefs(parser: CParser, file: string, text: string, scan: MacroScan, names: ReadonlySet<string>): KfuncDef[] {
  const clean = blankRanges(text, scan.blank);
  const masked = maskComments(text);
  const annotations = [...scan.annotations].sort((a, b) => a - b);
  const base = { file, masked, scan, annotations, names };
  const out: KfuncDef[] = [];
  const covered = new Set<number>();
  for (const span of findFunctionSpans(text)) {
    const open = clean.indexOf('\n{', span.start);
    if (open < 0) continue;
    const headAnnotated = annotations.some((a) => a >= span.start && a < open);
    if (!headAnnotated && !names.has(span.name)) continue;
    const tree = parseCSync(parser, `${clean.slice(span.start, open)}\n{}\n`);
    try {
      for (const fn of tree.rootNode.descendantsOfType('function_definition')) {
        const d = fn ? defOf(fn, { ...base, byteOffset: span.start, rowOffset: span.line - 1 }) : null;
        if (d) out.push(d);
      }
    } finally {
      tree.delete();
    }
    for (const a of annotations) if (a >= span.start && a < open) covered.add(a);
  }
  // definitions not in kernel style: parse the whole file once
  const found = new Set(out.map((d) => d.name));
  // (a set may list functions defined in other files: only a definition-looking text counts)
  const definedHere = (n: string): boolean => new RegExp(`\\b${n}\\s*\\([^;{]*\\)\\s*\\{`).test(masked);
  const missing = annotations.some((a) => !covered.has(a)) || scan.entries.some((e) => !found.has(e.name) && /^\w+$/.test(e.name) && definedHere(e.name));
  if (!missing) return out;
  const tree = parseCSync(parser, clean);
  try {
    for (const fn of tree.rootNode.descendantsOfType('function_definition')) {
      const d = fn ? defOf(fn, { ...base, byteOffset: 0, rowOffset: 0 }) : null;
      if (d && !out.some((x) => x.name === d.name && x.line === d.line)) out.push(d);
    }
  } finally {
    tree.delete();
  }
  return out.sort((a, b) => a.line - b.line);
}

/** The state-comparison functions whose member reads matter to verifier-state rules. */
export const VERIFIER_READ_FUNCTIONS = [
  'regsafe', 'states_equal', 'func_states_equal', 'stacksafe', 'refsafe', 'check_ids', 'check_scalar_ids',
  'range_within', 'copy_verifier_state', 'copy_func_state', 'copy_reference_state', 'scalar_regs_exact',
];

const ID_CHECKERS = new Set(['check_ids', 'check_scalar_ids']);

/**
 * Which members each named function reads: bodies located in kernel style (cheap on a 25k-line
 * verifier.c) and parsed one at a time.
 */
export function extractFunctionReads(parser: CParser, file: string, text: string, names: readonly string[] = VERIFIER_READ_FUNCTIONS): FunctionReads[] {
  const wanted = new Set(names);
  const out: FunctionReads[] = [];
  for (const span of findFunctionSpans(text, (n) => wanted.has(n))) {
    const snippet = text.slice(span.start, span.end);
    const tree = parseCSync(parser, snippet);
    try {
      const membersRead: string[] = [];
      const idsChecked: string[] = [];
      const calls: string[] = [];
      const add = (arr: string[], v: string): void => {
        if (!arr.includes(v)) arr.push(v);
      };
      for (const fe of tree.rootNode.descendantsOfType('field_expression')) {
        const f = fe?.childForFieldName('field');
        if (f) add(membersRead, f.text);
      }
      for (const call of tree.rootNode.descendantsOfType('call_expression')) {
        const fnode = call?.childForFieldName('function');
        if (!call || !fnode) continue;
        if (fnode.type === 'identifier') add(calls, fnode.text);
        if (ID_CHECKERS.has(fnode.text)) {
          const args = call.childForFieldName('arguments');
          for (const a of args?.namedChildren ?? []) {
            if (a?.type === 'field_expression') {
              const f = a.childForFieldName('field');
              if (f) add(idsChecked, f.text);
            }
          }
        }
      }
      const offsetofMembers = [...new Set([...snippet.matchAll(/\boffsetof\s*\(\s*struct\s+\w+\s*,\s*(\w+)\s*\)/g)].map((m) => m[1] as string))];
      out.push({ file, line: span.line, name: span.name, membersRead, idsChecked, calls, offsetofMembers });
    } finally {
      tree.delete();
    }
  }
  return out;
}
