/**
 * What a series changed in the facts: kfuncs added/removed, flags changed per kfunc, KF_*
 * definitions added/removed/renumbered, members added to (or removed from) the verifier
 * structs, selftests added/changed/removed. Pure.
 */
import type { FactsDiff, KfuncEntry, SelftestProgram, StructMember, TreeFacts } from '../model/kernel-facts.js';

/** A kfunc row's identity: the same name in the same set of the same file. */
function kfuncKey(k: KfuncEntry): string {
  return `${k.file}\u0000${k.set ?? ''}\u0000${k.name}`;
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().join('|') === [...b].sort().join('|');
}

function selftestKey(p: SelftestProgram): string {
  return `${p.file}\u0000${p.name}`;
}

function expectationText(p: SelftestProgram): string {
  return JSON.stringify([p.section, p.annotations, p.expected]);
}

export function diffFacts(before: TreeFacts, after: TreeFacts): FactsDiff {
  // kfunc rows, matched by file+set+name; a kfunc in two sets is two rows
  const beforeRows = new Map<string, KfuncEntry[]>();
  for (const k of before.kfuncs) beforeRows.set(kfuncKey(k), [...(beforeRows.get(kfuncKey(k)) ?? []), k]);
  const kfuncsAdded: KfuncEntry[] = [];
  const flagsChanged: FactsDiff['flagsChanged'] = [];
  const matched = new Set<KfuncEntry>();
  for (const k of after.kfuncs) {
    const candidates = beforeRows.get(kfuncKey(k)) ?? [];
    const prev = candidates.find((c) => !matched.has(c));
    if (!prev) {
      kfuncsAdded.push(k);
      continue;
    }
    matched.add(prev);
    if (!sameSet(prev.flags, k.flags)) flagsChanged.push({ name: k.name, before: prev.flags, after: k.flags, loc: { file: k.file, line: k.line } });
  }
  const kfuncsRemoved = before.kfuncs.filter((k) => !matched.has(k));

  const beforeFlags = new Map(before.flags.map((f) => [f.name, f]));
  const afterFlags = new Map(after.flags.map((f) => [f.name, f]));
  const flagDefsAdded = after.flags.filter((f) => !beforeFlags.has(f.name));
  const flagDefsRemoved = before.flags.filter((f) => !afterFlags.has(f.name));
  const flagDefsRenumbered: FactsDiff['flagDefsRenumbered'] = [];
  for (const f of after.flags) {
    const b = beforeFlags.get(f.name);
    if (b && (b.bit !== f.bit || (b.bit === null && b.value !== f.value))) {
      flagDefsRenumbered.push({ name: f.name, before: b.bit, after: f.bit, loc: { file: f.file, line: f.line } });
    }
  }

  const structMembersAdded: FactsDiff['structMembersAdded'] = [];
  const structMembersRemoved: { struct: string; member: StructMember }[] = [];
  const beforeStructs = new Map(before.structs.map((s) => [`${s.file}\u0000${s.name}`, s]));
  const afterStructs = new Map(after.structs.map((s) => [`${s.file}\u0000${s.name}`, s]));
  for (const [key, s] of afterStructs) {
    const b = beforeStructs.get(key);
    const names = new Set((b?.members ?? []).map((m) => m.name));
    // a struct that is new as a whole is reported member by member too: rules ask "what is new in the state"
    for (const m of s.members) if (!names.has(m.name)) structMembersAdded.push({ struct: s.name, member: m });
  }
  for (const [key, b] of beforeStructs) {
    const s = afterStructs.get(key);
    const names = new Set((s?.members ?? []).map((m) => m.name));
    for (const m of b.members) if (!names.has(m.name)) structMembersRemoved.push({ struct: b.name, member: m });
  }

  const beforeTests = new Map(before.selftests.map((p) => [selftestKey(p), p]));
  const afterTests = new Map(after.selftests.map((p) => [selftestKey(p), p]));
  const selftestsAdded = after.selftests.filter((p) => !beforeTests.has(selftestKey(p)));
  const selftestsRemoved = before.selftests.filter((p) => !afterTests.has(selftestKey(p)));
  const selftestsChanged: FactsDiff['selftestsChanged'] = [];
  for (const p of after.selftests) {
    const b = beforeTests.get(selftestKey(p));
    if (b && expectationText(b) !== expectationText(p)) selftestsChanged.push({ before: b, after: p });
  }

  const beforeDoc = new Set(before.kfuncsDoc.map((x) => x.title));
  const afterDoc = new Set(after.kfuncsDoc.map((x) => x.title));
  const kfuncsDocAdded = after.kfuncsDoc.filter((x) => !beforeDoc.has(x.title));
  const kfuncsDocRemoved = before.kfuncsDoc.filter((x) => !afterDoc.has(x.title));

  return {
    kfuncsDocAdded, kfuncsDocRemoved,
    kfuncsAdded, kfuncsRemoved, flagsChanged, flagDefsAdded, flagDefsRemoved, flagDefsRenumbered,
    structMembersAdded, structMembersRemoved, selftestsAdded, selftestsChanged, selftestsRemoved,
  };
}

/** True when nothing in the diff is set. */
export function isEmptyFactsDiff(d: FactsDiff): boolean {
  return Object.values(d).every((v) => !Array.isArray(v) || v.length === 0);
}
