/**
 * What the kfunc-flag rules ask about the tree around a patch, answered from the tree facts
 * when there is a tree and from the series' own hunks (plus the version registry) when not.
 * Every answer says "unknown" (null) rather than guessing.
 */
import type { KernelVersion, KfuncDef } from '../../model/kernel-facts.js';
import type { PatchRuleContext } from '../rule-kit.js';
import { findDefinition, type Prototype } from './c-snippets.js';
import { flagsAt, flagStatus, type FlagStatus } from './kf-registry.js';
import { addedLines, scanFlagDefines, scanFlagsLines, seriesFlagsLines, type FlagsLine } from './patch-scan.js';

type Ctx = Pick<PatchRuleContext, 'tree' | 'version' | 'series' | 'index' | 'patch' | 'diffFacts' | 'mode'>;

export function versionOf(ctx: Ctx): KernelVersion | null {
  return ctx.version ?? ctx.tree?.after?.version ?? null;
}

function defToProto(d: KfuncDef): Prototype {
  return {
    name: d.name, returnType: d.returnType, returnsPointer: d.returnsPointer, returnsStructPointer: d.returnsStructPointer,
    returnsVoid: d.returnsVoid, params: d.params.map((p) => ({ ...p })), isStatic: d.isStatic, hasBpfKfuncAnnotation: d.hasBpfKfuncAnnotation,
  };
}

/** The text a series' patches add to `file` up to and including patch `upto`, joined (enough to read a new definition). */
function addedText(ctx: Ctx, upto: number, file?: string): Map<string, string> {
  const out = new Map<string, string>();
  ctx.series.patches.slice(0, upto + 1).forEach((p) => {
    for (const l of addedLines(p, (f) => f.endsWith('.c') && (!file || f === file))) out.set(l.file, (out.get(l.file) ?? '') + l.text + '\n');
  });
  return out;
}

/** The kfunc's prototype after this patch, or null when it cannot be found. */
export function prototypeOf(ctx: Ctx, name: string, hintFile?: string): Prototype | null {
  const after = ctx.tree?.after;
  const def = after?.definitions.find((d) => d.name === name);
  if (def) return defToProto(def);
  if (ctx.tree && hintFile) {
    const text = ctx.tree.readAfter(hintFile);
    const found = text ? findDefinition(text, name) : null;
    if (found) return found.proto;
  }
  const dd = ctx.diffFacts.definitions?.find((d) => d.name === name);
  if (dd) return defToProto(dd);
  for (const text of addedText(ctx, ctx.index).values()) {
    const found = findDefinition(text, name);
    if (found) return found.proto;
  }
  return null;
}

/** Flag names the tree after this patch defines (tree mode) or the registry plus the series' defines say exist (diff-only); null = unknown. */
export function definedFlags(ctx: Ctx): Set<string> | null {
  const after = ctx.tree?.after;
  if (after && after.flags.length > 0) return new Set(after.flags.map((f) => f.name));
  const v = versionOf(ctx);
  if (!v) return null;
  const names = new Set(flagsAt(v).map((f) => f.name));
  ctx.series.patches.slice(0, ctx.index + 1).forEach((p) => {
    for (const d of scanFlagDefines(p)) {
      if (d.kind === 'add') names.add(d.name);
    }
  });
  ctx.series.patches.slice(0, ctx.index + 1).forEach((p) => {
    const defs = scanFlagDefines(p);
    for (const d of defs) if (d.kind === 'del' && !defs.some((a) => a.kind === 'add' && a.name === d.name)) names.delete(d.name);
  });
  return names;
}

/** name -> bit of the flags defined after this patch (tree, else registry at the version); null = unknown. */
export function flagBits(ctx: Ctx): Map<string, number> | null {
  const after = ctx.tree?.after;
  if (after && after.flags.length > 0) return new Map(after.flags.filter((f) => f.bit !== null).map((f) => [f.name, f.bit as number]));
  const v = versionOf(ctx);
  if (!v) return null;
  return new Map(flagsAt(v).map((f) => [f.name, f.bit]));
}

/** The registry's view of a name, corrected by the tree: a name the tree defines is defined. */
export function statusOf(ctx: Ctx, name: string): FlagStatus {
  const defined = definedFlags(ctx);
  if (defined?.has(name)) return { kind: 'defined' };
  // whatever the version, a name this patch or an earlier one of the series defines exists here
  if (!ctx.tree?.after && ctx.series.patches.slice(0, ctx.index + 1).some((p) => scanFlagDefines(p).some((d) => d.kind === 'add' && d.name === name))) return { kind: 'defined' };
  const st = flagStatus(name, versionOf(ctx));
  if (st.kind === 'defined' && defined && !defined.has(name) && ctx.tree?.after?.flags.length) {
    return { kind: 'removed', note: `not defined in this tree's include/linux/btf.h` };
  }
  return st;
}

export interface KfuncUse {
  name: string;
  flags: string[];
  file: string;
  line: number;
}

/**
 * Every BTF_ID_FLAGS registration known after this patch: the tree's (tree mode) plus the lines the
 * whole series adds (so a flag used in a later patch counts as used).
 */
export function allUses(ctx: Ctx): KfuncUse[] {
  const out: KfuncUse[] = [];
  const seen = new Set<string>();
  for (const k of ctx.tree?.after?.kfuncs ?? []) {
    seen.add(`${k.file}:${k.name}:${k.flags.join('|')}`);
    out.push({ name: k.name, flags: k.flags, file: k.file, line: k.line });
  }
  for (const l of seriesFlagsLines(ctx.series)) {
    const key = `${l.file}:${l.name}:${l.flags.join('|')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ name: l.name, flags: l.flags, file: l.file, line: l.line });
  }
  return out;
}

/** The BTF_ID_FLAGS lines this patch adds. */
export function addedFlagsLines(ctx: Ctx): FlagsLine[] {
  return scanFlagsLines(ctx.patch).filter((l) => l.kind === 'add');
}

/** Whether kfuncs.rst documents the flag after this patch: true/false, or null when the tree has no kfuncs.rst and the series adds none. */
export function documented(ctx: Ctx, flag: string): boolean | null {
  const inSeries = ctx.series.patches.some((p) => addedLines(p, (f) => f.endsWith('Documentation/bpf/kfuncs.rst')).some((l) => new RegExp(`\\b${flag}\\b`).test(l.text)));
  if (inSeries) return true;
  const doc = ctx.tree?.after?.kfuncsDoc;
  if (doc && doc.length > 0) return doc.some((s) => s.flagsMentioned.includes(flag));
  return ctx.mode === 'diff-only' ? false : null;
}

export const FLAG_JOIN = ' | ';
export function flagsText(flags: string[]): string {
  return flags.length ? flags.join(FLAG_JOIN) : '(no flags)';
}

/** Files whose kfuncs exist to exercise the verifier (negative selftests register broken ones on purpose). */
export function isTestKfuncFile(path: string): boolean {
  return /(^|\/)net\/bpf\/test_run\.c$|tools\/testing\/selftests\/bpf\//.test(path);
}

/** Some patches of the series are not at hand (lost mail, a lone patch of a larger series). */
export function seriesIncomplete(ctx: Pick<PatchRuleContext, 'series'>): boolean {
  return ctx.series.missing.length > 0 || ctx.series.patches.length < ctx.series.total;
}
