/**
 * Shapes read from a patch's hunks alone: added and removed BTF_ID_FLAGS lines, KF_* defines,
 * set markers. The rules report on these lines (new-side numbers), in tree and diff-only mode
 * alike, and take context (definitions, other uses, docs) from the tree facts when there is a tree.
 */
import type { FileDiff, Hunk } from '../../model/diff.js';
import { filePath } from '../../model/diff.js';
import type { Patch } from '../../model/patch.js';
import type { Series } from '../../model/series.js';
import { parsePrototype, type Prototype } from './c-snippets.js';

export interface ScannedLine {
  file: string;
  /** new-side line for added/context lines, old-side line for removed ones */
  line: number;
  text: string;
  kind: 'add' | 'del' | 'ctx';
}

export interface FlagsLine extends ScannedLine {
  name: string;
  flags: string[];
  /** The set whose START marker is the closest one above in the same hunk, if any. */
  set: string | null;
}

export interface FlagDefineLine extends ScannedLine {
  name: string;
  value: string;
  bit: number | null;
  comment: string;
}

export function hunkLines(f: FileDiff, h: Hunk): ScannedLine[] {
  const file = filePath(f);
  return h.lines.map((l) => ({ file, line: (l.kind === 'del' ? l.oldLine : l.newLine) ?? 0, text: l.text, kind: l.kind }));
}

export function allLines(patch: Patch, fileFilter?: (path: string) => boolean): ScannedLine[] {
  const out: ScannedLine[] = [];
  for (const f of patch.files) {
    if (fileFilter && !fileFilter(filePath(f))) continue;
    for (const h of f.hunks) out.push(...hunkLines(f, h));
  }
  return out;
}

export function addedLines(patch: Patch, fileFilter?: (path: string) => boolean): ScannedLine[] {
  return allLines(patch, fileFilter).filter((l) => l.kind === 'add');
}

/** `KF_A | KF_B` -> ['KF_A', 'KF_B'] (0 and other non-names dropped). */
export function parseFlagExpr(expr: string): string[] {
  return expr.split('|').map((s) => s.replace(/[()]/g, '').trim()).filter((s) => /^KF_\w+$/.test(s));
}

/** BTF_ID_FLAGS(func, name, FLAGS) lines of one hunk side (a flag list continued on the next line is joined). */
export function scanFlagsLines(patch: Patch): FlagsLine[] {
  const out: FlagsLine[] = [];
  for (const f of patch.files) {
    for (const h of f.hunks) {
      const lines = hunkLines(f, h);
      let set: string | null = null;
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i] as ScannedLine;
        const sm = /^\s*BTF_(?:SET8|KFUNCS)_START\s*\(\s*(\w+)\s*\)/.exec(l.text);
        if (sm) set = sm[1] as string;
        if (!/^\s*BTF_ID_FLAGS\s*\(/.test(l.text)) continue;
        let text = l.text;
        for (let j = i + 1; !/\)/.test(text) && j < lines.length && j < i + 4; j++) {
          const n = lines[j] as ScannedLine;
          if (n.kind === l.kind || n.kind === 'ctx') text += ' ' + n.text.trim();
        }
        const m = /BTF_ID_FLAGS\s*\(\s*func\s*,\s*(\w+)\s*(?:,([^)]*))?\)/.exec(text);
        if (!m) continue;
        out.push({ ...l, name: m[1] as string, flags: parseFlagExpr(m[2] ?? ''), set });
      }
    }
  }
  return out;
}

/** `#define KF_X value /* comment *\/` lines of include/linux/btf.h (copies in tools/ are not the definition). */
export function scanFlagDefines(patch: Patch): FlagDefineLine[] {
  const out: FlagDefineLine[] = [];
  for (const l of allLines(patch, (f) => /(^|\/)include\/linux\/btf\.h$/.test(f))) {
    const m = /^\s*#\s*define\s+(KF_\w+)\s+(.*?)\s*$/.exec(l.text);
    if (!m) continue;
    let value = m[2] as string;
    let comment = '';
    const cm = /\/\*(.*?)\*\/\s*$/.exec(value);
    if (cm) {
      comment = (cm[1] as string).trim();
      value = value.slice(0, cm.index).trim();
    }
    const bm = /^\(?\s*1U?L{0,2}\s*<<\s*(\d+)\s*\)?$/.exec(value) ?? /^BIT(?:_ULL)?\(\s*(\d+)\s*\)$/.exec(value);
    out.push({ ...l, name: m[1] as string, value, bit: bm ? Number(bm[1]) : null, comment });
  }
  return out;
}

/** Flag defines added by the patch whose name is not also removed by it (really new names). */
export function newFlagDefines(patch: Patch): FlagDefineLine[] {
  const defs = scanFlagDefines(patch);
  const removed = new Set(defs.filter((d) => d.kind === 'del').map((d) => d.name));
  return defs.filter((d) => d.kind === 'add' && !removed.has(d.name));
}

/** Added BTF_ID_FLAGS lines, each with the flags the same kfunc had on a removed line of the patch (null = new entry). */
export function changedFlagsLines(patch: Patch): (FlagsLine & { before: string[] | null })[] {
  const lines = scanFlagsLines(patch);
  const removed = new Map<string, FlagsLine[]>();
  for (const l of lines) if (l.kind === 'del') removed.set(l.name, [...(removed.get(l.name) ?? []), l]);
  return lines.filter((l) => l.kind === 'add').map((l) => {
    const r = removed.get(l.name);
    const prev = r?.shift();
    return { ...l, before: prev ? prev.flags : null };
  });
}

/** Every added BTF_ID_FLAGS line in the series, with the patch index. */
export function seriesFlagsLines(series: Series): (FlagsLine & { patchIndex: number })[] {
  return series.patches.flatMap((p, i) => scanFlagsLines(p).filter((l) => l.kind === 'add').map((l) => ({ ...l, patchIndex: i })));
}

/** The text of a statement starting at index i of a hunk's new-side lines, up to its balancing `)` / `;`. */
export function statementFrom(lines: ScannedLine[], i: number): { text: string; endIndex: number } {
  let text = '';
  let depth = 0;
  let seen = false;
  let j = i;
  for (; j < lines.length; j++) {
    const l = lines[j] as ScannedLine;
    if (l.kind === 'del') continue;
    text += (text ? '\n' : '') + l.text;
    for (const ch of l.text.replace(/"(?:[^"\\]|\\.)*"/g, '""')) {
      if (ch === '(') {
        depth++;
        seen = true;
      } else if (ch === ')') depth--;
    }
    if (seen && depth <= 0) break;
    if (j - i > 12) break;
  }
  return { text, endIndex: j };
}

/** The next non-blank new-side line after index i, or null. */
export function nextCodeLine(lines: ScannedLine[], i: number): ScannedLine | null {
  for (let j = i + 1; j < lines.length; j++) {
    const l = lines[j] as ScannedLine;
    if (l.kind === 'del') continue;
    if (l.text.trim() === '') continue;
    return l;
  }
  return null;
}

export interface AddedDefinition {
  name: string;
  file: string;
  /** new-side line where the definition starts (the __bpf_kfunc line when it stands alone) */
  line: number;
  proto: Prototype;
}

const DEF_START = /^(?:__bpf_kfunc\s+)?(?:static\s+)?(?:inline\s+)?(?:const\s+)?(?:struct\s+\w+|enum\s+\w+|unsigned\s+\w+|\w+)[\s*]+\w+\s*\(/;

/** Function definitions whose first line the patch adds in .c files (kernel style: signature at column 0, then `{`). */
export function addedDefinitions(patch: Patch): AddedDefinition[] {
  const out: AddedDefinition[] = [];
  for (const f of patch.files) {
    const file = filePath(f);
    if (!file.endsWith('.c')) continue;
    for (const h of f.hunks) {
      const lines = hunkLines(f, h).filter((l) => l.kind !== 'del');
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i] as ScannedLine;
        if (l.kind !== 'add') continue;
        let start = i;
        let text = l.text;
        if (/^__bpf_kfunc\s*$/.test(text) && i + 1 < lines.length) {
          text = `__bpf_kfunc ${(lines[i + 1] as ScannedLine).text}`;
          start = i;
          i++;
        }
        if (!DEF_START.test(text) || /^\s/.test(text) || /;\s*$/.test(text) || /^(return|else|if|while|for|switch)\b/.test(text)) continue;
        let j = i;
        while (!/\)\s*(\{\s*)?$/.test(text) && j + 1 < lines.length && j - i < 6) {
          j++;
          text += ' ' + (lines[j] as ScannedLine).text.trim();
        }
        const next = lines[j + 1];
        if (!/\{\s*$/.test(text) && !(next && /^\{/.test(next.text))) continue;
        const proto = parsePrototype(text.replace(/\{\s*$/, ''));
        if (!proto) continue;
        out.push({ name: proto.name, file, line: (lines[start] as ScannedLine).line, proto });
        i = j;
      }
    }
  }
  return out;
}
