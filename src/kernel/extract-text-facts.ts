/**
 * Facts read from text shapes that need no C parser: KF_* defines, kfuncs.rst sections,
 * enums, and the kernel-style location of function bodies (for the verifier predicates).
 * Pure.
 */
import type { EnumFacts, KfFlagDef, KfuncListFacts } from '../model/kernel-facts.js';
import { lineAt, lineStarts, maskComments } from './c-text.js';

/** `#define KF_X (1 << n) /* comment *\/` lines, with a preceding comment when there is no trailing one. */
export function extractFlagDefs(file: string, text: string): KfFlagDef[] {
  const lines = text.split('\n');
  const out: KfFlagDef[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const m = /^\s*#\s*define\s+(KF_\w+)\s+(.*?)\s*$/.exec(line);
    if (!m) continue;
    let rest = m[2] as string;
    let comment = '';
    const cm = /\/\*(.*?)\*\/\s*$/.exec(rest) ?? /\/\/(.*)$/.exec(rest);
    if (cm) {
      comment = (cm[1] as string).trim();
      rest = rest.slice(0, cm.index).trim();
    } else {
      // a comment block ending on the line above
      let j = i - 1;
      const block: string[] = [];
      if (j >= 0 && /\*\/\s*$/.test(lines[j] as string)) {
        while (j >= 0) {
          const l = lines[j] as string;
          block.unshift(l);
          if (/\/\*/.test(l)) break;
          j--;
        }
        comment = block
          .join('\n')
          .replace(/\/\*+|\*+\//g, '')
          .split('\n')
          .map((l) => l.replace(/^\s*\*\s?/, '').trim())
          .filter((l) => l !== '')
          .join(' ');
      }
    }
    const value = rest.trim();
    const bm = /^\(?\s*1U?L{0,2}\s*<<\s*(\d+)\s*\)?$/.exec(value) ?? /^BIT(?:_ULL)?\(\s*(\d+)\s*\)$/.exec(value);
    out.push({ file, line: i + 1, name: m[1] as string, bit: bm ? Number(bm[1]) : null, value, comment });
  }
  return out;
}

/** Section titles of an RST file (title + underline of one punctuation char), with the KF_ flags each mentions. */
export function extractKfuncsDoc(text: string): { title: string; line: number; flagsMentioned: string[] }[] {
  const lines = text.split('\n');
  const heads: { title: string; line: number }[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    const title = (lines[i] as string).trimEnd();
    const under = (lines[i + 1] as string).trimEnd();
    if (title.trim() === '' || /^\s/.test(title)) continue;
    if (!/^([=\-~^*+#"'`])\1{2,}$/.test(under) || under.length < title.trim().length) continue;
    if (/^([=\-~^*+#"'`])\1{2,}$/.test(title)) continue; // an overline
    heads.push({ title: title.trim(), line: i + 1 });
  }
  return heads.map((h, k) => {
    const end = k + 1 < heads.length ? (heads[k + 1] as { line: number }).line - 1 : lines.length;
    const body = lines.slice(h.line - 1, end).join('\n');
    const flags = [...new Set([...body.matchAll(/\bKF_[A-Z0-9_]+\b/g)].map((m) => m[0]))];
    return { title: h.title, line: h.line, flagsMentioned: flags };
  });
}

/** Named enums (`enum x { A = v, B, };`) with each member's value text and raw line. */
export function extractEnums(file: string, text: string, only?: (name: string) => boolean): EnumFacts[] {
  const masked = maskComments(text, true);
  const starts = lineStarts(text);
  const out: EnumFacts[] = [];
  for (const m of masked.matchAll(/\benum\s+(\w+)\s*\{([^}]*)\}/g)) {
    const name = m[1] as string;
    if (only && !only(name)) continue;
    const bodyStart = (m.index ?? 0) + (m[0] as string).indexOf('{') + 1;
    const body = m[2] as string;
    const members: EnumFacts['members'] = [];
    let off = 0;
    for (const part of body.split(',')) {
      const partStart = bodyStart + off;
      off += part.length + 1;
      // skip blank and preprocessor lines inside the part
      let rel = 0;
      for (const l of part.split('\n')) {
        if (l.trim() === '' || l.trim().startsWith('#')) rel += l.length + 1;
        else {
          rel += l.length - l.trimStart().length;
          break;
        }
      }
      const t = part.slice(rel).split('\n').filter((l) => !l.trim().startsWith('#')).join(' ').trim();
      if (t === '') continue;
      const mm = /^([A-Za-z_]\w*)\s*(?:=\s*([\s\S]+))?$/.exec(t);
      if (!mm) continue;
      const line = lineAt(starts, partStart + rel);
      const raw = text.slice(starts[line - 1] as number, (starts[line] ?? text.length + 1) - 1);
      members.push({ name: mm[1] as string, value: mm[2] ? (mm[2] as string).replace(/\s+/g, ' ').trim() : null, line, text: raw });
    }
    out.push({ file, line: lineAt(starts, m.index ?? 0), name, members });
  }
  return out;
}

export interface FunctionSpan {
  name: string;
  /** offset of the first character of the definition line */
  start: number;
  /** offset just past the closing brace */
  end: number;
  line: number;
}

/**
 * Function definitions in kernel style (signature from column 0, body `{` ... `}` at column 0).
 * Cheap enough for a 25k-line verifier.c; used to hand tree-sitter only the bodies we need.
 */
export function findFunctionSpans(text: string, wanted?: (name: string) => boolean): FunctionSpan[] {
  const masked = maskComments(text, true);
  const starts = lineStarts(text);
  const out: FunctionSpan[] = [];
  // every body opens with "{" alone at column 0; the signature is on the lines just above it
  for (let at = masked.indexOf('\n{'); at >= 0; at = masked.indexOf('\n{', at + 2)) {
    const after = masked.charCodeAt(at + 2);
    if (!(after === 10 || after === 13 || Number.isNaN(after))) continue;
    let start = at;
    for (let k = 0; k < 8; k++) {
      const lineEnd = start === at ? at : start - 1;
      const prev = masked.lastIndexOf('\n', lineEnd - 1);
      const line = masked.slice(prev + 1, lineEnd);
      const t = line.trim();
      if (t === '' || /[;}]$/.test(t) || t.startsWith('#')) break;
      start = prev + 1;
      if (prev < 0) break;
      if (!/^\s/.test(line)) {
        // a line at column 0 begins the signature unless the line above continues it ("static struct x *")
        const above = masked.slice(masked.lastIndexOf('\n', prev - 1) + 1, prev).trim();
        if (above.startsWith('#') || !/[\w*,(]$/.test(above)) break;
      }
    }
    if (start >= at) continue;
    const sig = masked.slice(start, at).replace(/__printf\s*\([^)]*\)|__attribute__\s*\(\(.*?\)\)/g, ' ');
    const nm = /([A-Za-z_]\w*)\s*\(/.exec(sig);
    if (!nm || !/\)\s*$/.test(sig)) continue;
    const name = nm[1] as string;
    if (wanted && !wanted(name)) continue;
    const close = masked.indexOf('\n}', at + 2);
    const end = close < 0 ? masked.length : close + 2;
    out.push({ name, start, end, line: lineAt(starts, start) });
  }
  return out;
}


/**
 * The verifier's special-cased kfunc lists: `BTF_ID_LIST(special_kfunc_list)` (given by the
 * macro scan) and every predicate whose body indexes special_kfunc_list[KF_x].
 */
export function extractKfuncPredicates(file: string, text: string): KfuncListFacts[] {
  const out: KfuncListFacts[] = [];
  if (!text.includes('special_kfunc_list[')) return out;
  const found: KfuncListFacts[] = [];
  for (const span of findFunctionSpans(text, (n) => /kfunc/.test(n))) {
    const body = text.slice(span.start, span.end);
    if (!/^[^(]*\bbool\b/.test(body)) continue;
    const kfuncs = [...new Set([...body.matchAll(/special_kfunc_list\s*\[\s*KF_(\w+)\s*\]/g)].map((m) => m[1] as string))];
    const calls = [...new Set([...body.matchAll(/\b(\w*kfunc\w*)\s*\(/g)].map((m) => m[1] as string))].filter((c) => c !== span.name);
    found.push({ file, line: span.line, name: span.name, kfuncs, calls });
  }
  const direct = new Set(found.filter((f) => f.kfuncs.length > 0).map((f) => f.name));
  for (const f of found) {
    f.calls = f.calls.filter((c) => direct.has(c));
    if (f.kfuncs.length > 0 || f.calls.length > 0) out.push(f);
  }
  return out;
}
