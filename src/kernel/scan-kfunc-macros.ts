/**
 * A small scanner for the file-scope BTF macros that tree-sitter cannot parse (they have no
 * trailing `;`): BTF_SET8_START / BTF_KFUNCS_START ... BTF_ID_FLAGS(func, name, FLAGS...) ...
 * _END, BTF_ID_LIST / BTF_SET_START ... BTF_ID(func, name), the btf_kfunc_id_set descriptors
 * and register_btf_kfunc_id_set() calls. It tracks #if/#ifdef/#else/#endif nesting and
 * returns the byte ranges to blank before handing the file to tree-sitter. Pure.
 */
import { lineAt, lineStarts, maskComments, splitArgs } from './c-text.js';

export interface ScannedEntry {
  name: string;
  /** `func` for kfuncs; other prefixes (struct, ...) are kept as found. */
  prefix: string;
  flags: string[];
  set: string | null;
  kfuncsSet: boolean;
  conditions: string[];
  line: number;
  /** Last line of the macro (same as line unless the flag list spans lines). */
  endLine: number;
}

export interface ScannedSet {
  name: string;
  kind: 'set8' | 'kfuncs';
  line: number;
  endLine: number | null;
  conditions: string[];
}

/** BTF_ID_LIST(x) / BTF_SET_START(x) ... BTF_ID(func, name) lists (special_kfunc_list and friends). */
export interface ScannedIdList {
  name: string;
  kind: 'list' | 'set';
  line: number;
  ids: { prefix: string; name: string; line: number; conditions: string[] }[];
}

export interface ScannedDescriptor {
  name: string;
  set: string | null;
  filter: string | null;
  line: number;
}

export interface ScannedRegistration {
  /** BPF_PROG_TYPE_X as written, or 'fmodret' for register_btf_fmodret_id_set(). */
  progType: string;
  descriptor: string;
  line: number;
  conditions: string[];
}

/**
 * An X-macro row inside a set: `#define M(a, b) BTF_ID_FLAGS(func, b, FLAGS)` then a line
 * `LIST_xxx`, where LIST_xxx (usually in a header) expands to `M(x, y) M(z, w) ...`.
 */
export interface ScannedXMacroUse {
  list: string;
  macro: string;
  params: string[];
  /** BTF_ID_FLAGS arguments of the template, in terms of the params */
  args: string[];
  set: string | null;
  kfuncsSet: boolean;
  conditions: string[];
  line: number;
}

export interface MacroScan {
  entries: ScannedEntry[];
  xmacroUses: ScannedXMacroUse[];
  sets: ScannedSet[];
  idLists: ScannedIdList[];
  descriptors: ScannedDescriptor[];
  registrations: ScannedRegistration[];
  /** Offsets of `__bpf_kfunc` annotations (not the _start_defs/_end_defs markers). */
  annotations: number[];
  /** [start, end) offsets between __bpf_kfunc_start_defs() and __bpf_kfunc_end_defs(). */
  defsRegions: Array<[number, number]>;
  /** True when the file has __bpf_kfunc_start_defs markers at all. */
  hasDefsMarkers: boolean;
  /** Byte ranges to blank before tree-sitter parsing. */
  blank: Array<[number, number]>;
}

const SET_START = /^(BTF_SET8_START|BTF_KFUNCS_START)$/;
const SET_END = /^(BTF_SET8_END|BTF_KFUNCS_END)$/;
const FILE_SCOPE_MACROS = new Set([
  'BTF_SET8_START', 'BTF_SET8_END', 'BTF_KFUNCS_START', 'BTF_KFUNCS_END', 'BTF_ID_FLAGS',
  'BTF_ID_LIST', 'BTF_ID_LIST_SINGLE', 'BTF_ID_LIST_GLOBAL', 'BTF_ID_LIST_GLOBAL_SINGLE', 'BTF_ID',
  'BTF_ID_UNUSED', 'BTF_SET_START', 'BTF_SET_END', 'BTF_SET_START_GLOBAL', 'BTF_SET8_START_GLOBAL',
  '__diag_push', '__diag_pop', '__diag_ignore_all', '__diag_ignore', '__bpf_kfunc_start_defs',
  '__bpf_kfunc_end_defs', '__bpf_hook_start', '__bpf_hook_end', 'BTF_TRACING_TYPE_xxx',
]);
/** Declaration decorations tree-sitter does not know; blanked (their positions are kept). */
const DECORATIONS = /\b(__bpf_kfunc|__used|noinline|notrace|__weak|__noclone|__retain|__always_inline|__maybe_unused|__cold|__init|__exit|__printf\([^)]*\))(?![\w(])/g;

/** Condition text for a preprocessor line, or null if it is not a conditional. */
function directive(line: string): { op: string; arg: string } | null {
  const m = /^\s*#\s*(if|ifdef|ifndef|elif|else|endif)\b(.*)$/.exec(line);
  if (!m) return null;
  return { op: m[1] as string, arg: (m[2] as string).replace(/\s+/g, ' ').trim() };
}

function negate(c: string): string {
  if (/^!\w+$/.test(c)) return c.slice(1);
  if (/^[\w()]+$/.test(c)) return `!${c}`;
  return `!(${c})`;
}

export function scanKfuncMacros(text: string): MacroScan {
  const masked = maskComments(text);
  const starts = lineStarts(text);
  const result: MacroScan = {
    entries: [], xmacroUses: [], sets: [], idLists: [], descriptors: [], registrations: [], annotations: [],
    defsRegions: [], hasDefsMarkers: false, blank: [],
  };
  const stack: string[] = [];
  /** Condition stack per line (1-based index), for registrations found by regex later. */
  const condByLine: string[][] = new Array(starts.length + 1);
  let currentSet: ScannedSet | null = null;
  let currentList: ScannedIdList | null = null;
  let defsStart: number | null = null;
  const templates = new Map<string, { params: string[]; args: string[] }>();

  let li = 0;
  while (li < starts.length) {
    const s = starts[li] as number;
    const e = li + 1 < starts.length ? (starts[li + 1] as number) - 1 : masked.length;
    const line = masked.slice(s, e);
    condByLine[li + 1] = stack.slice();
    const trimmed = line.trimStart();
    if (trimmed.startsWith('#')) {
      // a directive, possibly continued with backslashes
      let last = li;
      let full = line;
      while (full.endsWith('\\') && last + 1 < starts.length) {
        last++;
        const ns = starts[last] as number;
        const ne = last + 1 < starts.length ? (starts[last + 1] as number) - 1 : masked.length;
        full = full.slice(0, -1) + ' ' + masked.slice(ns, ne);
        condByLine[last + 1] = stack.slice();
      }
      const def = /^\s*#\s*define\s+(\w+)\(([^)]*)\)\s+BTF_ID_FLAGS\s*\((.*)\)\s*$/.exec(full);
      if (def) templates.set(def[1] as string, { params: splitArgs(def[2] as string), args: splitArgs(def[3] as string) });
      const undef = /^\s*#\s*undef\s+(\w+)/.exec(full);
      if (undef) templates.delete(undef[1] as string);
      const d = directive(full);
      if (d) {
        if (d.op === 'ifdef') stack.push(d.arg);
        else if (d.op === 'ifndef') stack.push(`!${d.arg}`);
        else if (d.op === 'if') stack.push(d.arg);
        else if (d.op === 'elif') {
          stack.pop();
          stack.push(d.arg);
        } else if (d.op === 'else') {
          const top = stack.pop();
          stack.push(top === undefined ? '!?' : negate(top));
        } else if (d.op === 'endif') stack.pop();
      }
      li = last + 1;
      continue;
    }
    const bare = currentSet && templates.size > 0 ? /^\s*([A-Za-z_]\w*)\s*$/.exec(line) : null;
    if (bare && currentSet) {
      for (const [macro, t] of templates) {
        result.xmacroUses.push({ list: bare[1] as string, macro, params: t.params, args: t.args, set: currentSet.name, kfuncsSet: currentSet.kind === 'kfuncs', conditions: stack.slice(), line: li + 1 });
      }
      result.blank.push([s, e]);
      li++;
      continue;
    }
    const mm = /^(\s*)([A-Za-z_]\w*)\s*\(/.exec(line);
    if (!mm || !FILE_SCOPE_MACROS.has(mm[2] as string)) {
      li++;
      continue;
    }
    const macro = mm[2] as string;
    // read to the balanced closing parenthesis, across lines
    const open = s + (mm[0] as string).length - 1;
    let depth = 0;
    let j = open;
    for (; j < masked.length; j++) {
      const ch = masked[j];
      if (ch === '(') depth++;
      else if (ch === ')') {
        depth--;
        if (depth === 0) break;
      }
    }
    const argText = masked.slice(open + 1, j);
    let endOff = j + 1;
    if (masked[endOff] === ';') endOff++;
    const endLine = lineAt(starts, j);
    for (let k = li + 2; k <= endLine; k++) condByLine[k] = stack.slice();
    result.blank.push([s + (mm[1] as string).length, endOff]);
    const args = splitArgs(argText).map((a) => a.replace(/\s+/g, ' ').trim());
    const lineNo = li + 1;
    const conditions = stack.slice();

    if (SET_START.test(macro)) {
      currentSet = { name: args[0] ?? '', kind: macro === 'BTF_KFUNCS_START' ? 'kfuncs' : 'set8', line: lineNo, endLine: null, conditions };
      result.sets.push(currentSet);
    } else if (SET_END.test(macro)) {
      if (currentSet) currentSet.endLine = lineNo;
      currentSet = null;
    } else if (macro === 'BTF_ID_FLAGS') {
      const flags = args.slice(2).flatMap((a) => a.split('|')).map((f) => f.trim()).filter((f) => f !== '' && f !== '0');
      result.entries.push({
        name: args[1] ?? '', prefix: args[0] ?? '', flags, set: currentSet?.name ?? null,
        kfuncsSet: currentSet?.kind === 'kfuncs', conditions, line: lineNo, endLine,
      });
    } else if (macro === 'BTF_ID_LIST' || macro === 'BTF_ID_LIST_GLOBAL' || macro === 'BTF_SET_START' || macro === 'BTF_SET_START_GLOBAL') {
      currentList = { name: args[0] ?? '', kind: macro.startsWith('BTF_SET') ? 'set' : 'list', line: lineNo, ids: [] };
      result.idLists.push(currentList);
    } else if (macro === 'BTF_SET_END') {
      currentList = null;
    } else if (macro === 'BTF_ID' || macro === 'BTF_ID_UNUSED') {
      if (currentList && macro === 'BTF_ID') currentList.ids.push({ prefix: args[0] ?? '', name: args[1] ?? '', line: lineNo, conditions });
      else if (currentList) currentList.ids.push({ prefix: '', name: '', line: lineNo, conditions });
    } else if (macro === '__bpf_kfunc_start_defs') {
      result.hasDefsMarkers = true;
      defsStart = endOff;
    } else if (macro === '__bpf_kfunc_end_defs') {
      result.hasDefsMarkers = true;
      if (defsStart !== null) result.defsRegions.push([defsStart, s]);
      defsStart = null;
    }
    const startsList = macro === 'BTF_ID_LIST' || macro === 'BTF_ID_LIST_GLOBAL' || macro === 'BTF_SET_START' || macro === 'BTF_SET_START_GLOBAL';
    // BTF_ID lists are contiguous: any other file-scope macro ends one
    if (!startsList && macro !== 'BTF_ID' && macro !== 'BTF_ID_UNUSED') currentList = null;
    li = endLine;
  }
  if (defsStart !== null) result.defsRegions.push([defsStart, masked.length]);

  // decorations (kept as annotations when __bpf_kfunc)
  for (const m of masked.matchAll(DECORATIONS)) {
    const at = m.index ?? 0;
    // not inside a #define line
    const ln = lineAt(starts, at);
    const lineText = masked.slice(starts[ln - 1] as number, at);
    if (/^\s*#/.test(lineText)) continue;
    if (m[1] === '__bpf_kfunc') result.annotations.push(at);
    result.blank.push([at, at + (m[0] as string).length]);
  }

  // btf_kfunc_id_set descriptors
  for (const m of masked.matchAll(/struct\s+btf_kfunc_id_set\s+(\w+)\s*=\s*\{([^}]*)\}/g)) {
    const body = m[2] as string;
    result.descriptors.push({
      name: m[1] as string,
      set: /\.set\s*=\s*&?\s*(\w+)/.exec(body)?.[1] ?? null,
      filter: /\.filter\s*=\s*&?\s*(\w+)/.exec(body)?.[1] ?? null,
      line: lineAt(starts, m.index ?? 0),
    });
  }
  // register_btf_kfunc_id_set(PROG_TYPE, &desc)
  for (const m of masked.matchAll(/\bregister_btf_kfunc_id_set\s*\(([^()]*)\)/g)) {
    const args = splitArgs(m[1] as string);
    if (args.length !== 2 || /\bstruct\b/.test(args[1] as string) || /^enum\b/.test(args[0] as string)) continue;
    const desc = /&?\s*(\w+)\s*$/.exec(args[1] as string)?.[1];
    if (!desc) continue;
    const line = lineAt(starts, m.index ?? 0);
    result.registrations.push({ progType: (args[0] as string).replace(/\s+/g, ' '), descriptor: desc, line, conditions: condByLine[line] ?? [] });
  }
  // register_btf_fmodret_id_set(&desc): the set is for fmod_ret attachment, not kfunc calls
  for (const m of masked.matchAll(/\bregister_btf_fmodret_id_set\s*\(\s*&?\s*(\w+)\s*\)/g)) {
    const line = lineAt(starts, m.index ?? 0);
    result.registrations.push({ progType: 'fmodret', descriptor: m[1] as string, line, conditions: condByLine[line] ?? [] });
  }
  return result;
}

/**
 * Expand X-macro rows given the text that defines the list (`#define LIST \ M(a, b) \ ...`).
 * Returns one entry per invocation of the template macro, all at the use line.
 */
export function expandXMacroUse(use: ScannedXMacroUse, definingText: string): ScannedEntry[] | null {
  const masked = maskComments(definingText).replace(/\\\r?\n/g, ' ');
  const def = new RegExp(`^\\s*#\\s*define\\s+${use.list}\\b(.*)$`, 'm').exec(masked);
  if (!def) return null;
  const body = def[1] as string;
  const out: ScannedEntry[] = [];
  for (const m of body.matchAll(new RegExp(`\\b${use.macro}\\s*\\(([^()]*)\\)`, 'g'))) {
    const actual = splitArgs(m[1] as string);
    const bind = (a: string): string => {
      const i = use.params.indexOf(a.trim());
      return i >= 0 ? (actual[i] ?? '').trim() : a.trim();
    };
    const args = use.args.map(bind);
    const flags = args.slice(2).flatMap((a) => a.split('|')).map((f) => f.trim()).filter((f) => f !== '' && f !== '0');
    out.push({ name: args[1] ?? '', prefix: args[0] ?? '', flags, set: use.set, kfuncsSet: use.kfuncsSet, conditions: use.conditions, line: use.line, endLine: use.line });
  }
  return out;
}
