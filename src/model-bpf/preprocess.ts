/**
 * A small, line-preserving C preprocessor for BPF selftest files.
 *
 * It expands the macros a selftest defines itself (object-like and function-like, with `#`, `##`
 * and `__VA_ARGS__`), follows `#include "x.h"` only into the files it is given (library headers
 * such as bpf_misc.h / bpf_experimental.h are never followed: the model knows their API natively),
 * and evaluates `#if/#ifdef/#ifndef/#elif/#else/#endif`. Line structure of the main file is kept:
 * directive lines become empty lines, and a macro invocation spanning several lines is followed by
 * the newlines it consumed, so line N of the output is line N of the input.
 */

export interface MacroDef {
  name: string;
  params: string[] | null;
  variadic: boolean;
  body: Tok[];
}

export interface Tok {
  kind: 'id' | 'num' | 'str' | 'chr' | 'punct' | 'ws' | 'nl';
  text: string;
  /** offset in the tokenized text */
  pos?: number;
}

export interface PreprocessResult {
  /** The main file, expanded, line-preserving. */
  text: string;
  /** Local headers that were included, each expanded (declarations they contribute). */
  includes: { path: string; text: string }[];
  /** Macros defined at the end of the file. */
  macros: Map<string, MacroDef>;
}

export type IncludeResolver = (name: string, fromPath: string) => { path: string; text: string } | null;

/** Library headers the model understands natively and never expands. */
const NATIVE_HEADERS = new Set(['bpf_misc.h', 'bpf_experimental.h', 'vmlinux.h']);

/** Function-like macros of those native headers that selftests use as plain C. */
const NATIVE_MACROS: Record<string, string> = {
  'ARRAY_SIZE(x)': '(sizeof(x) / sizeof((x)[0]))',
};

/** Replace comments by spaces/newlines (line structure kept), leaving strings intact. */
export function stripComments(src: string): string {
  let out = '';
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && src[j] !== c) {
        if (src[j] === '\\') j++;
        if (src[j] === '\n') break;
        j++;
      }
      out += src.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      out += src.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === '/' && src[i + 1] === '/') {
      let j = i;
      while (j < n && src[j] !== '\n') {
        // a line comment continued with backslash-newline continues on the next line
        if (src[j] === '\\' && src[j + 1] === '\n') j++;
        j++;
      }
      out += src.slice(i, j).replace(/[^\n]/g, ' ');
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

export function tokenize(s: string): Tok[] {
  const toks: Tok[] = [];
  const re =
    /([A-Za-z_]\w*)|(\.?\d(?:[\w.]|[eEpP][+-])*)|("(?:[^"\\\n]|\\.)*")|('(?:[^'\\\n]|\\.)*')|(\n)|([ \t\r\f\v]+|\\\n)|(##|#|->|\+\+|--|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||\.\.\.|[-+*/%&|^!~<>=]=?|[()[\]{};,.?:])|(.)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    const pos = m.index;
    if (m[1] !== undefined) toks.push({ kind: 'id', text: m[1], pos });
    else if (m[2] !== undefined) toks.push({ kind: 'num', text: m[2], pos });
    else if (m[3] !== undefined) toks.push({ kind: 'str', text: m[3], pos });
    else if (m[4] !== undefined) toks.push({ kind: 'chr', text: m[4], pos });
    else if (m[5] !== undefined) toks.push({ kind: 'nl', text: '\n', pos });
    else if (m[6] !== undefined) toks.push({ kind: 'ws', text: m[6] === '\\\n' ? ' ' : m[6], pos });
    else toks.push({ kind: 'punct', text: m[7] ?? m[8] ?? '', pos });
    if (m[0].length === 0) re.lastIndex++;
  }
  return toks;
}

const isBlank = (t: Tok | undefined): boolean => t !== undefined && (t.kind === 'ws' || t.kind === 'nl');

function trimToks(ts: Tok[]): Tok[] {
  let a = 0;
  let b = ts.length;
  while (a < b && isBlank(ts[a])) a++;
  while (b > a && isBlank(ts[b - 1])) b--;
  return ts.slice(a, b);
}

function stringify(ts: Tok[]): string {
  let s = '';
  let pendingSpace = false;
  for (const t of trimToks(ts)) {
    if (isBlank(t)) {
      pendingSpace = true;
      continue;
    }
    if (pendingSpace && s) s += ' ';
    pendingSpace = false;
    s += t.kind === 'str' || t.kind === 'chr' ? t.text.replace(/\\/g, '\\\\').replace(/"/g, '\\"') : t.text;
  }
  return `"${s}"`;
}

export class Preprocessor {
  readonly macros = new Map<string, MacroDef>();
  private readonly includes: { path: string; text: string }[] = [];
  private readonly seenIncludes = new Set<string>();

  constructor(
    private readonly resolve: IncludeResolver,
    predefined: Record<string, string> = {},
  ) {
    for (const [k, v] of Object.entries({ ...NATIVE_MACROS, ...predefined })) this.define(`${k} ${v}`);
  }

  run(path: string, src: string): PreprocessResult {
    const text = this.file(path, src);
    return { text, includes: this.includes.slice(), macros: this.macros };
  }

  private file(path: string, src: string): string {
    const physical = stripComments(src).split('\n');
    const out: string[] = [];
    // condition stack: [active, anyTaken, parentActive]
    const cond: { active: boolean; taken: boolean; parent: boolean }[] = [];
    const active = (): boolean => (cond.length ? cond[cond.length - 1]!.active : true);
    let chunk: string[] = [];
    const flush = (): void => {
      if (!chunk.length) return;
      out.push(this.expandText(chunk.join('\n')));
      chunk = [];
    };
    for (let i = 0; i < physical.length; i++) {
      let line = physical[i]!;
      let extra = 0;
      if (/^\s*#/.test(line)) {
        while (line.endsWith('\\') && i + 1 < physical.length) {
          line = line.slice(0, -1) + ' ' + physical[++i]!;
          extra++;
        }
        flush();
        this.directive(line.replace(/^\s*#\s*/, ''), path, cond, active);
        for (let k = 0; k <= extra; k++) out.push('');
        continue;
      }
      chunk.push(active() ? line : '');
    }
    flush();
    return out.join('\n');
  }

  private directive(
    d: string,
    path: string,
    cond: { active: boolean; taken: boolean; parent: boolean }[],
    active: () => boolean,
  ): void {
    const m = /^(\w+)\s*([\s\S]*)$/.exec(d);
    if (!m) return;
    const [, kw, rest0] = m as unknown as [string, string, string];
    const rest = rest0.trim();
    switch (kw) {
      case 'ifdef':
      case 'ifndef': {
        const parent = active();
        const def = this.macros.has(rest.split(/\s/)[0] ?? '');
        const v = parent && (kw === 'ifdef' ? def : !def);
        cond.push({ active: v, taken: v, parent });
        return;
      }
      case 'if': {
        const parent = active();
        const v = parent && this.evalCond(rest);
        cond.push({ active: v, taken: v, parent });
        return;
      }
      case 'elif': {
        const top = cond[cond.length - 1];
        if (!top) return;
        const v = top.parent && !top.taken && this.evalCond(rest);
        top.active = v;
        top.taken ||= v;
        return;
      }
      case 'else': {
        const top = cond[cond.length - 1];
        if (!top) return;
        top.active = top.parent && !top.taken;
        top.taken = true;
        return;
      }
      case 'endif':
        cond.pop();
        return;
    }
    if (!active()) return;
    if (kw === 'define') this.define(rest);
    else if (kw === 'undef') this.macros.delete(rest.split(/\s/)[0] ?? '');
    else if (kw === 'include') {
      const inc = /^"([^"]+)"/.exec(rest);
      if (!inc) return;
      const name = inc[1]!;
      const base = name.split('/').pop()!;
      if (NATIVE_HEADERS.has(base) || base.endsWith('.skel.h')) return;
      const found = this.resolve(name, path);
      if (!found || this.seenIncludes.has(found.path)) return;
      this.seenIncludes.add(found.path);
      const text = this.file(found.path, found.text);
      this.includes.push({ path: found.path, text });
    }
  }

  private define(rest: string): void {
    const m = /^([A-Za-z_]\w*)(\(([^)]*)\))?/.exec(rest);
    if (!m) return;
    const name = m[1]!;
    let params: string[] | null = null;
    let variadic = false;
    if (m[2] !== undefined) {
      params = m[3]!
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p.length > 0);
      if (params[params.length - 1] === '...') {
        variadic = true;
        params[params.length - 1] = '__VA_ARGS__';
      }
    }
    const body = trimToks(tokenize(rest.slice(m[0].length)));
    this.macros.set(name, { name, params, variadic, body });
  }

  private evalCond(expr: string): boolean {
    // defined(X) / defined X first, then macro-expand, unknown identifiers are 0.
    const pre = expr.replace(/defined\s*\(\s*(\w+)\s*\)|defined\s+(\w+)/g, (_a, x?: string, y?: string) =>
      this.macros.has((x ?? y)!) ? '1' : '0',
    );
    const expanded = this.expandText(pre).replace(/\b[A-Za-z_]\w*\b/g, '0');
    try {
      const v = evalIntExpr(expanded);
      return v !== 0;
    } catch {
      return false;
    }
  }

  /** Expand macros in a chunk of text (may span lines). */
  expandText(text: string): string {
    const toks = this.expand(tokenize(text), new Set());
    return toks.map((t) => t.text).join('');
  }

  private expand(toks: Tok[], disabled: Set<string>): Tok[] {
    const out: Tok[] = [];
    let i = 0;
    while (i < toks.length) {
      const t = toks[i]!;
      const mac = t.kind === 'id' && !disabled.has(t.text) ? this.macros.get(t.text) : undefined;
      if (!mac) {
        out.push(t);
        i++;
        continue;
      }
      if (mac.params === null) {
        const dis = new Set(disabled).add(mac.name);
        out.push(...this.expand(mac.body, dis));
        i++;
        continue;
      }
      // function-like: need '(' after optional blanks
      let j = i + 1;
      while (isBlank(toks[j])) j++;
      if (toks[j]?.text !== '(') {
        out.push(t);
        i++;
        continue;
      }
      const args: Tok[][] = [[]];
      let depth = 0;
      let k = j + 1;
      let newlines = 0;
      for (; k < toks.length; k++) {
        const a = toks[k]!;
        if (a.kind === 'nl') newlines++;
        if (a.text === '(' || a.text === '[' || a.text === '{') depth++;
        else if (a.text === ')' || a.text === ']' || a.text === '}') {
          if (depth === 0 && a.text === ')') break;
          depth--;
        } else if (a.text === ',' && depth === 0) {
          args.push([]);
          continue;
        }
        args[args.length - 1]!.push(a);
      }
      if (k >= toks.length) {
        out.push(t);
        i++;
        continue;
      }
      const params = mac.params;
      const argMap = new Map<string, Tok[]>();
      params.forEach((p, idx) => {
        if (p === '__VA_ARGS__') {
          const va: Tok[] = [];
          args.slice(idx).forEach((a, n) => {
            if (n) va.push({ kind: 'punct', text: ',' });
            va.push(...a);
          });
          argMap.set(p, va);
        } else argMap.set(p, args[idx] ?? []);
      });
      const body = mac.body;
      const sub: Tok[] = [];
      for (let b = 0; b < body.length; b++) {
        const bt = body[b]!;
        if (bt.text === '#' && bt.kind === 'punct') {
          let c = b + 1;
          while (isBlank(body[c])) c++;
          const pn = body[c];
          if (pn && argMap.has(pn.text)) {
            sub.push({ kind: 'str', text: stringify(argMap.get(pn.text)!) });
            b = c;
            continue;
          }
        }
        if (bt.kind === 'id' && argMap.has(bt.text)) {
          // adjacent to ## → raw; otherwise fully expanded
          let p = sub.length - 1;
          while (p >= 0 && isBlank(sub[p])) p--;
          let nx = b + 1;
          while (isBlank(body[nx])) nx++;
          const raw = sub[p]?.text === '##' || body[nx]?.text === '##';
          const arg = trimToks(argMap.get(bt.text)!);
          sub.push(...(raw ? arg : this.expand(arg, disabled)));
          continue;
        }
        sub.push(bt);
      }
      // token pasting
      const pasted: Tok[] = [];
      for (let s = 0; s < sub.length; s++) {
        const st = sub[s]!;
        if (st.text === '##' && st.kind === 'punct') {
          while (pasted.length && isBlank(pasted[pasted.length - 1])) pasted.pop();
          let nx = s + 1;
          while (isBlank(sub[nx])) nx++;
          const left = pasted.pop();
          const right = sub[nx];
          const joined = (left?.text ?? '') + (right?.text ?? '');
          pasted.push(...tokenize(joined));
          s = nx;
          continue;
        }
        pasted.push(st);
      }
      const dis = new Set(disabled).add(mac.name);
      // an invocation that consumed newlines: keep them after the expansion (line structure)
      out.push(...this.expand(pasted, dis).map((x) => (x.kind === 'nl' ? { kind: 'ws' as const, text: ' ' } : x)));
      for (let q = 0; q < newlines; q++) out.push({ kind: 'nl', text: '\n' });
      i = k + 1;
    }
    return out;
  }
}

/** Integer expression evaluation for #if (numbers and C operators only). */
export function evalIntExpr(s: string): number {
  const toks = tokenize(s).filter((t) => !isBlank(t));
  let p = 0;
  const peek = (): string | undefined => toks[p]?.text;
  const eat = (x?: string): string => {
    const t = toks[p++];
    if (!t || (x !== undefined && t.text !== x)) throw new Error(`bad #if expression: ${s}`);
    return t.text;
  };
  const prec: Record<string, number> = {
    '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7,
    '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
  };
  const unary = (): number => {
    const t = peek();
    if (t === '!') return eat(), unary() ? 0 : 1;
    if (t === '-') return eat(), -unary();
    if (t === '~') return eat(), ~unary();
    if (t === '(') {
      eat('(');
      const v = ternary();
      eat(')');
      return v;
    }
    const n = eat();
    const v = Number.parseInt(n.replace(/[uUlL]+$/, ''), n.startsWith('0x') ? 16 : 10);
    if (Number.isNaN(v)) throw new Error(`bad number ${n}`);
    return v;
  };
  const binary = (min: number): number => {
    let l = unary();
    for (;;) {
      const op = peek();
      const pr = op !== undefined ? prec[op] : undefined;
      if (pr === undefined || pr < min) return l;
      eat();
      const r = binary(pr + 1);
      l = applyOp(op!, l, r);
    }
  };
  const ternary = (): number => {
    const c = binary(1);
    if (peek() !== '?') return c;
    eat('?');
    const a = ternary();
    eat(':');
    const b = ternary();
    return c ? a : b;
  };
  const v = ternary();
  return v;
}

function applyOp(op: string, l: number, r: number): number {
  switch (op) {
    case '||': return l || r ? 1 : 0;
    case '&&': return l && r ? 1 : 0;
    case '|': return l | r;
    case '^': return l ^ r;
    case '&': return l & r;
    case '==': return l === r ? 1 : 0;
    case '!=': return l !== r ? 1 : 0;
    case '<': return l < r ? 1 : 0;
    case '>': return l > r ? 1 : 0;
    case '<=': return l <= r ? 1 : 0;
    case '>=': return l >= r ? 1 : 0;
    case '<<': return l << r;
    case '>>': return l >> r;
    case '+': return l + r;
    case '-': return l - r;
    case '*': return l * r;
    case '/': return r === 0 ? 0 : Math.trunc(l / r);
    case '%': return r === 0 ? 0 : l % r;
  }
  throw new Error(`unknown operator ${op}`);
}

/** Resolver over an in-memory file set: `"x.h"` relative to the including file's directory. */
export function fileSetResolver(files: { path: string; text: string }[]): IncludeResolver {
  const byPath = new Map(files.map((f) => [normalise(f.path), f]));
  return (name, from) => {
    const dir = from.includes('/') ? from.slice(0, from.lastIndexOf('/') + 1) : '';
    const f = byPath.get(normalise(dir + name));
    return f ? { path: f.path, text: f.text } : null;
  };
}

function normalise(p: string): string {
  const parts: string[] = [];
  for (const s of p.split('/')) {
    if (s === '..') parts.pop();
    else if (s && s !== '.') parts.push(s);
  }
  return parts.join('/');
}
