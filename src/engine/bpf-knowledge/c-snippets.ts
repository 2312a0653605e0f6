/**
 * Small readers of kernel-style C the rules need when the tree facts do not carry a shape:
 * prototypes, struct members in declaration order (nested anonymous structs flattened),
 * function bodies. Text in, values out; kernel coding style assumed (bodies open and close
 * at column 0), which is what the verifier headers and verifier.c use.
 */

export interface ProtoParam {
  name: string;
  type: string;
  isPointer: boolean;
  /** `__sz`, `__k`, ... (with the leading __), or null */
  suffix: string | null;
}

export interface Prototype {
  name: string;
  returnType: string;
  returnsPointer: boolean;
  returnsStructPointer: boolean;
  returnsVoid: boolean;
  params: ProtoParam[];
  isStatic: boolean;
  hasBpfKfuncAnnotation: boolean;
}

/** Replaces comments by spaces, keeping newlines and offsets. */
export function maskComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (m) => m.replace(/[^\n]/g, ' '));
}

/** Splits at top-level commas (not inside parentheses). */
export function splitTopLevel(s: string, sep = ','): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    if (ch === sep && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '' || out.length > 0) out.push(cur);
  return out;
}

const QUALIFIERS = /\b(__bpf_kfunc|static|inline|noinline|__always_inline|__used|notrace|__weak|__retain|__noclone|extern)\b/g;

export function paramSuffix(name: string): string | null {
  const m = /^[A-Za-z0-9_]*?[A-Za-z0-9](__[a-z][a-z0-9_]*)$/.exec(name);
  return m ? (m[1] as string) : null;
}

function parseParam(raw: string): ProtoParam | null {
  const t = raw.replace(/\s+/g, ' ').trim();
  if (t === '' || t === 'void' || t === '...') return null;
  const fp = /\(\s*\*\s*(\w+)\s*\)/.exec(t);
  if (fp) return { name: fp[1] as string, type: t.replace(fp[1] as string, '').trim(), isPointer: true, suffix: paramSuffix(fp[1] as string) };
  const m = /^(.*?)(\w+)\s*(\[[^\]]*\])?$/.exec(t);
  if (!m) return null;
  const type = ((m[1] as string) + (m[3] ? '*' : '')).replace(/\s*\*\s*/g, ' *').replace(/\s+/g, ' ').trim();
  const name = m[2] as string;
  if (type === '') return { name: '', type: name, isPointer: false, suffix: null };
  return { name, type, isPointer: type.includes('*'), suffix: paramSuffix(name) };
}

/** Parses `[static] [__bpf_kfunc] RET NAME(PARAMS)` (text may span lines, may end in `{`). */
export function parsePrototype(text: string): Prototype | null {
  const flat = maskComments(text).replace(/\s+/g, ' ').trim();
  const open = flat.indexOf('(');
  if (open < 0) return null;
  let depth = 0;
  let close = -1;
  for (let i = open; i < flat.length; i++) {
    if (flat[i] === '(') depth++;
    else if (flat[i] === ')' && --depth === 0) {
      close = i;
      break;
    }
  }
  if (close < 0) return null;
  const head = flat.slice(0, open).trim();
  const nm = /(\w+)$/.exec(head);
  if (!nm) return null;
  const name = nm[1] as string;
  const isStatic = /\bstatic\b/.test(head);
  const hasBpfKfuncAnnotation = /\b__bpf_kfunc\b/.test(head);
  const returnType = head.slice(0, head.length - name.length).replace(QUALIFIERS, ' ').replace(/\s*\*\s*/g, ' *').replace(/\s+/g, ' ').trim();
  if (returnType === '') return null;
  const params = splitTopLevel(flat.slice(open + 1, close)).map(parseParam).filter((p): p is ProtoParam => p !== null);
  const returnsPointer = returnType.includes('*');
  return {
    name, returnType, returnsPointer,
    returnsStructPointer: returnsPointer && /^(const )?struct \w+ \*$/.test(returnType),
    returnsVoid: returnType === 'void',
    params, isStatic, hasBpfKfuncAnnotation,
  };
}

/**
 * A function definition named `name` in a C file: the prototype text (with the line it starts on)
 * when the signature starts at column 0 and is followed by `{`.
 */
export function findDefinition(text: string, name: string): { proto: Prototype; line: number } | null {
  const masked = maskComments(text);
  const re = new RegExp(`^(?:__bpf_kfunc\\s+)?[A-Za-z_][^\\n;{}#=()]*?\\b${name}\\s*\\(([^;{}]*?)\\)\\s*\\{`, 'gm');
  for (const m of masked.matchAll(re)) {
    const start = m.index ?? 0;
    // a `__bpf_kfunc` alone on the line above belongs to the definition
    const prevStart = masked.lastIndexOf('\n', start - 2) + 1;
    const prev = start > 0 ? masked.slice(prevStart, start - 1) : '';
    const withAnn = /^\s*__bpf_kfunc\s*$/.test(prev) ? `__bpf_kfunc ${m[0]}` : m[0];
    const proto = parsePrototype(withAnn.replace(/\{$/, ''));
    if (proto && proto.name === name) return { proto, line: masked.slice(0, start).split('\n').length };
  }
  return null;
}

export interface MemberDecl {
  name: string;
  type: string;
  line: number;
  /** Nesting depth inside the struct (1 = direct member). */
  depth: number;
}

/** Members of `struct name { ... }` in declaration order, nested anonymous structs/unions flattened. */
export function structMembers(text: string, name: string): { line: number; endLine: number; members: MemberDecl[] } | null {
  const masked = maskComments(text);
  const re = new RegExp(`^struct\\s+${name}\\s*\\{`, 'm');
  const m = re.exec(masked);
  if (!m) return null;
  let i = (m.index ?? 0) + m[0].length;
  let line = masked.slice(0, i).split('\n').length;
  const startLine = masked.slice(0, m.index).split('\n').length;
  let depth = 1;
  let decl = '';
  let declLine = line;
  const members: MemberDecl[] = [];
  for (; i < masked.length && depth > 0; i++) {
    const ch = masked[i] as string;
    if (ch === '\n') line++;
    if (ch === '{') {
      depth++;
      decl = '';
      continue;
    }
    if (ch === '}') {
      depth--;
      decl = '';
      declLine = line;
      continue;
    }
    if (ch === ';') {
      const d = decl.replace(/#[^\n]*\n/g, ' ').replace(/\s+/g, ' ').replace(/:\s*\d+\s*$/, '').replace(/\[[^\]]*\]/g, '').trim();
      for (const part of splitTopLevel(d)) {
        const pm = /(\w+)\s*$/.exec(part.trim());
        if (pm && !/^(struct|union|enum)$/.test(pm[1] as string)) {
          const type = part.trim().slice(0, part.trim().length - (pm[1] as string).length).trim();
          members.push({ name: pm[1] as string, type: type || 'anonymous', line: declLine, depth: depth });
        }
      }
      decl = '';
      continue;
    }
    if (decl.trim() === '' && ch.trim() !== '') declLine = line;
    decl += ch;
  }
  return { line: startLine, endLine: line, members };
}

/** The name of the top-level `struct X {` whose body contains `line` (1-based), or null. */
export function enclosingStruct(text: string, line: number): string | null {
  const lines = maskComments(text).split('\n');
  for (let i = Math.min(line, lines.length) - 1; i >= 0; i--) {
    const l = lines[i] as string;
    const m = /^struct\s+(\w+)\s*\{/.exec(l);
    if (m) return m[1] as string;
    if (i < line - 1 && /^\}/.test(l)) return null;
  }
  return null;
}

/** The body of a function defined at column 0, with the line it starts on. */
export function functionBody(text: string, name: string): { body: string; line: number } | null {
  const masked = maskComments(text);
  const re = new RegExp(`^[A-Za-z_][^\\n;{}#=]*?\\b${name}\\s*\\([^;{}]*?\\)\\s*\\n\\{`, 'm');
  const m = re.exec(masked);
  if (!m) return null;
  const start = m.index ?? 0;
  const close = masked.indexOf('\n}', start + m[0].length - 1);
  const end = close < 0 ? masked.length : close + 2;
  return { body: masked.slice(start, end), line: masked.slice(0, start).split('\n').length };
}

/** The C string literals of a call's format argument, concatenated (`"a" "b\n"` -> `a b\n`). */
export function formatLiteral(argText: string): string | null {
  const lits = [...argText.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] as string);
  if (lits.length === 0) return null;
  return lits.join('');
}
