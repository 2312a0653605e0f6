import type { TreeFacts } from '../model/kernel-facts.js';

/**
 * name → KF_* flags from `BTF_ID_FLAGS(func, name, FLAGS...)` lines of a C file (comments
 * ignored). A kfunc registered twice keeps the union of its flags.
 */
export function kfuncFlagsFromText(text: string): Map<string, string[]> {
  const clean = text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
  const out = new Map<string, string[]>();
  for (const m of clean.matchAll(/\bBTF_ID_FLAGS\s*\(\s*func\s*,\s*(\w+)\s*(?:,([^)]*))?\)/g)) {
    const name = m[1]!;
    const flags = (m[2] ?? '')
      .split(/[|,]/)
      .map((f) => f.trim())
      .filter((f) => /^KF_\w+$/.test(f));
    out.set(name, [...new Set([...(out.get(name) ?? []), ...flags])]);
  }
  return out;
}

/** The same map from the kernel-facts extraction (TreeFacts.kfuncs). */
export function kfuncFlagsFromFacts(facts: Pick<TreeFacts, 'kfuncs'>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const k of facts.kfuncs) out.set(k.name, [...new Set([...(out.get(k.name) ?? []), ...k.flags])]);
  return out;
}
