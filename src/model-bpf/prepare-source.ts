/**
 * Line-preserving source rewriting before tree-sitter parses a selftest: type arguments
 * (`bpf_obj_new(struct foo)`, `container_of(p, T, m)`) become placeholder identifiers,
 * SEC()/annotation macros become blanks remembered by offset (`__contains`, `__kptr`, SEC
 * sections), BPF_PROG(name, ...) becomes name(...), map definitions are read and blanked.
 */
import { LONG, primitiveType, ptrTo, type CType } from './ctypes.js';
import type { MapDef } from './unit.js';

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
