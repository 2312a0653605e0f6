/**
 * Diff-only mode: what can be learnt from the hunks alone when there is no tree (or the
 * series does not apply): KF_* defines, BTF_ID_FLAGS lines and struct/enum members added or
 * removed, plus the list of checks that could not run without a tree. Pure.
 */
import type { FileDiff, Hunk } from '../model/diff.js';
import type { FactsDiff, KfFlagDef, KfuncEntry, StructMember } from '../model/kernel-facts.js';
import { extractFlagDefs } from './extract-text-facts.js';
import { scanKfuncMacros } from './scan-kfunc-macros.js';

export interface NotRunCheck {
  check: string;
  reason: string;
}

export interface DiffOnlyFacts {
  flagDefsAdded: KfFlagDef[];
  flagDefsRemoved: KfFlagDef[];
  flagDefsRenumbered: FactsDiff['flagDefsRenumbered'];
  kfuncsAdded: KfuncEntry[];
  kfuncsRemoved: KfuncEntry[];
  flagsChanged: FactsDiff['flagsChanged'];
  structMembersAdded: { struct: string; member: StructMember }[];
  structMembersRemoved: { struct: string; member: StructMember }[];
  enumMembersAdded: { enum: string; name: string; value: string | null; file: string; line: number; text: string }[];
  /** Checks that need the tree and were not run, each with the reason. */
  notRun: NotRunCheck[];
}

/** Checks that need a tree; reported by diff-only mode as not run. */
export const TREE_ONLY_CHECKS: NotRunCheck[] = [
  { check: 'kfunc-prototypes', reason: 'kfunc definitions (return type, parameter suffixes) are only known from the tree' },
  { check: 'kfunc-prog-types', reason: 'which program types a kfunc set is registered for is only known from the tree' },
  { check: 'flag-bit-collisions', reason: 'existing KF_* bits outside the hunks are only known from the tree' },
  { check: 'verifier-state-compare', reason: 'whether regsafe()/states_equal() read a new member needs verifier.c from the tree' },
  { check: 'special-kfunc-lists', reason: "the verifier's special_kfunc_list and graph-API predicates need verifier.c from the tree" },
  { check: 'selftest-expectations', reason: 'selftest programs and their expected verdicts need the selftests from the tree' },
  { check: 'bisect', reason: 'building the tree after each patch needs the series applied to a tree' },
];

type Side = 'new' | 'old';

/** The text of one side of a hunk, with the hunk-line index of each text line. */
function sideText(h: Hunk, side: Side): { text: string; lines: { kind: 'add' | 'del' | 'ctx'; lineNo: number }[] } {
  const keep = side === 'new' ? 'add' : 'del';
  const rows = h.lines.filter((l) => l.kind === 'ctx' || l.kind === keep);
  return {
    text: rows.map((l) => l.text).join('\n'),
    lines: rows.map((l) => ({ kind: l.kind, lineNo: (side === 'new' ? l.newLine : l.oldLine) ?? 0 })),
  };
}

/** The struct a hunk line is inside: a `struct x {` opened earlier in the hunk, else the hunk's section. */
function enclosingAggregate(h: Hunk, rows: string[], idx: number, kind: 'struct' | 'enum'): string | null {
  let depth = 0;
  for (let i = idx - 1; i >= 0; i--) {
    const t = rows[i] as string;
    depth += (t.match(/\}/g) ?? []).length - (t.match(/\{/g) ?? []).length;
    const m = new RegExp(`^\\s*(?:typedef\\s+)?${kind}\\s+(\\w+)\\s*\\{`).exec(t);
    if (m && depth < 0) return m[1] as string;
    if (depth < 0 && /^\s*(struct|union)\s*\{/.test(t)) {
      // an anonymous struct/union: flattened into the outer one, unless it declares a named field
      let d = 0;
      for (let j = i; j < rows.length; j++) {
        const r = rows[j] as string;
        d += (r.match(/\{/g) ?? []).length - (r.match(/\}/g) ?? []).length;
        if (d === 0) {
          if (j !== idx && /^\s*\}\s*\w+\s*;/.test(r)) return null;
          break;
        }
      }
      depth = 0;
    }
    if (depth < 0 && /^\S/.test(t)) return null;
  }
  const s = new RegExp(`\\b${kind}\\s+(\\w+)\\s*\\{`).exec(h.section);
  return s ? (s[1] as string) : null;
}

function memberOf(text: string): { name: string; type: string } | null {
  const t = text.replace(/\/\*.*?\*\//g, '').replace(/\/\/.*$/, '').trim();
  const closing = /^\}\s*(\w+)\s*;$/.exec(t);
  if (closing) return { name: closing[1] as string, type: 'struct {...}' };
  if (/^(return|if|for|while|#|}|{)/.test(t) || t.includes('(')) return null;
  const m = /^(.*?[\s*])(\w+)\s*(\[[^\]]*\])?\s*(?::\s*\d+\s*)?;$/.exec(t);
  if (!m || !(m[1] as string).trim()) return null;
  return { name: m[2] as string, type: `${(m[1] as string).replace(/\s+/g, ' ').trim()}${m[3] ?? ''}`.replace(/\s*\*\s*$/, ' *') };
}

function fromSide(f: FileDiff, side: Side) {
  const path = (side === 'new' ? f.newPath : f.oldPath) ?? f.newPath ?? f.oldPath ?? '';
  const changed = side === 'new' ? 'add' : 'del';
  const flags: KfFlagDef[] = [];
  const kfuncs: KfuncEntry[] = [];
  const members: { struct: string; member: StructMember }[] = [];
  const enumMembers: DiffOnlyFacts['enumMembersAdded'] = [];
  for (const h of f.hunks) {
    const { text, lines } = sideText(h, side);
    const rows = text.split('\n');
    const lineNo = (i: number): number => lines[i]?.lineNo ?? 0;
    const isChanged = (i: number): boolean => lines[i]?.kind === changed;
    if (/\.h$/.test(path)) {
      for (const d of extractFlagDefs(path, text)) if (isChanged(d.line - 1)) flags.push({ ...d, line: lineNo(d.line - 1) });
    }
    if (/\.[ch]$/.test(path)) {
      const scan = scanKfuncMacros(text);
      for (const e of scan.entries) {
        let touched = false;
        for (let i = e.line - 1; i < e.endLine; i++) touched ||= isChanged(i);
        if (!touched) continue;
        kfuncs.push({
          file: path, line: lineNo(e.line - 1), name: e.name, flags: e.flags, set: e.set, kfuncsSet: e.kfuncsSet,
          progTypes: [], conditions: e.conditions, prototype: null,
        });
      }
      rows.forEach((row, i) => {
        if (!isChanged(i)) return;
        const st = enclosingAggregate(h, rows, i, 'struct');
        const m = st ? memberOf(row) : null;
        if (st && m) members.push({ struct: st, member: { file: path, line: lineNo(i), name: m.name, type: m.type } });
        const en = enclosingAggregate(h, rows, i, 'enum');
        const em = en ? /^\s*([A-Za-z_]\w*)\s*(?:=\s*([^,]+?))?\s*,?\s*(?:\/\*.*)?$/.exec(row) : null;
        if (en && em) enumMembers.push({ enum: en, name: em[1] as string, value: em[2]?.trim() ?? null, file: path, line: lineNo(i), text: row });
      });
    }
  }
  return { flags, kfuncs, members, enumMembers };
}

export function extractFactsFromDiff(files: FileDiff[]): DiffOnlyFacts {
  const out: DiffOnlyFacts = {
    flagDefsAdded: [], flagDefsRemoved: [], flagDefsRenumbered: [], kfuncsAdded: [], kfuncsRemoved: [], flagsChanged: [],
    structMembersAdded: [], structMembersRemoved: [], enumMembersAdded: [], notRun: TREE_ONLY_CHECKS.map((c) => ({ ...c })),
  };
  for (const f of files) {
    if (f.binary) continue;
    const added = fromSide(f, 'new');
    const removed = fromSide(f, 'old');
    // a define or row both removed and added (realigned, reflagged) is a change, not add+remove
    const remFlags = new Map(removed.flags.map((d) => [d.name, d]));
    for (const d of added.flags) {
      const r = remFlags.get(d.name);
      if (!r) out.flagDefsAdded.push(d);
      else {
        remFlags.delete(d.name);
        if (r.bit !== d.bit) out.flagDefsRenumbered.push({ name: d.name, before: r.bit, after: d.bit, loc: { file: d.file, line: d.line } });
      }
    }
    out.flagDefsRemoved.push(...remFlags.values());
    const remRows = new Map(removed.kfuncs.map((k) => [`${k.set ?? ''}\u0000${k.name}`, k]));
    for (const k of added.kfuncs) {
      const key = `${k.set ?? ''}\u0000${k.name}`;
      const r = remRows.get(key) ?? (k.set === null ? [...remRows.values()].find((x) => x.name === k.name) : undefined);
      if (!r) out.kfuncsAdded.push(k);
      else {
        remRows.delete(`${r.set ?? ''}\u0000${r.name}`);
        if ([...r.flags].sort().join('|') !== [...k.flags].sort().join('|')) out.flagsChanged.push({ name: k.name, before: r.flags, after: k.flags, loc: { file: k.file, line: k.line } });
      }
    }
    out.kfuncsRemoved.push(...remRows.values());
    const remMembers = new Set(removed.members.map((m) => `${m.struct}\u0000${m.member.name}`));
    const addMembers = new Set(added.members.map((m) => `${m.struct}\u0000${m.member.name}`));
    out.structMembersAdded.push(...added.members.filter((m) => !remMembers.has(`${m.struct}\u0000${m.member.name}`)));
    out.structMembersRemoved.push(...removed.members.filter((m) => !addMembers.has(`${m.struct}\u0000${m.member.name}`)));
    const remEnum = new Set(removed.enumMembers.map((m) => `${m.enum}\u0000${m.name}`));
    out.enumMembersAdded.push(...added.enumMembers.filter((m) => !remEnum.has(`${m.enum}\u0000${m.name}`)));
  }
  return out;
}
