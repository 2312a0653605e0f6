import type { Patch } from '../../src/model/patch.js';
import { filePath, type FileDiff } from '../../src/model/diff.js';

/** Selftests of the BPF subsystem. */
export const SELFTESTS = 'tools/testing/selftests/bpf/';

/** Files whose changes can change what the verifier accepts (incl. the v7.1 split of verifier.c). */
const VERIFIER_FILES = /^kernel\/bpf\/(?:verifier|btf|backtrack|states|cfg|liveness|fixups|const_fold|check_btf)\.c$|^include\/linux\/bpf_verifier\.h$/;
const HELPERS_FILES = /^kernel\/bpf\/helpers\.c$|^kernel\/bpf\/[\w-]+\.c$|^net\/core\/filter\.c$/;

export function touchesSelftests(p: Patch): boolean {
  return p.files.some((f) => filePath(f).startsWith(SELFTESTS));
}

/** A line with comments, string literal contents and whitespace removed: what the compiler acts on. */
export function codeOf(line: string): string {
  return line
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/'(?:[^'\\]|\\.)*'/g, "''")
    .replace(/\/\*.*?\*\//g, '')
    .replace(/\/\/.*$/, '')
    .replace(/\s+/g, '');
}

function isCommentLine(t: string): boolean {
  const s = t.trim();
  return s.startsWith('*') || s.startsWith('/*') || s.startsWith('//') || s.endsWith('*/');
}

/**
 * Does this file's diff change code, not just comments, whitespace or message text?
 * (Removed and added lines compared as multisets of their code.)
 */
export function changesCode(f: FileDiff): boolean {
  const bag = new Map<string, number>();
  for (const h of f.hunks) {
    for (const l of h.lines) {
      if (l.kind === 'ctx' || isCommentLine(l.text)) continue;
      const c = codeOf(l.text);
      if (c === '') continue;
      bag.set(c, (bag.get(c) ?? 0) + (l.kind === 'add' ? 1 : -1));
    }
  }
  return [...bag.values()].some((n) => n !== 0);
}

export interface BehaviourChange {
  file: string;
  /** 'verifier' for verifier.c/btf.c..., 'kfunc-flags' for BTF_ID_FLAGS lines. */
  what: 'verifier' | 'kfunc-flags';
  /** kfunc names whose flags changed (kfunc-flags). */
  kfuncs: string[];
}

/** What in this patch can change verifier behaviour: code in the verifier files, or kfunc flags. */
export function behaviourChanges(p: Patch): BehaviourChange[] {
  const out: BehaviourChange[] = [];
  for (const f of p.files) {
    const path = filePath(f);
    if (VERIFIER_FILES.test(path)) {
      if (f.status !== 'deleted' && changesCode(f)) out.push({ file: path, what: 'verifier', kfuncs: [] });
      continue;
    }
    if (HELPERS_FILES.test(path)) {
      const changed = new Map<string, Set<string>>();
      for (const h of f.hunks) {
        for (const l of h.lines) {
          if (l.kind === 'ctx') continue;
          const m = /^\s*BTF_ID_FLAGS\s*\(\s*func\s*,\s*(\w+)\s*(?:,\s*([^)]*))?\)/.exec(l.text);
          if (!m) continue;
          const flags = (m[2] ?? '').replace(/\s+/g, '');
          const s = changed.get(m[1]!) ?? new Set<string>();
          s.add(`${l.kind}:${flags}`);
          changed.set(m[1]!, s);
        }
      }
      // a kfunc whose flags changed (not a line merely moved or a kfunc added with new code)
      const kfuncs = [...changed.entries()].filter(([, s]) => {
        const dels = [...s].filter((x) => x.startsWith('del:')).map((x) => x.slice(4));
        const adds = [...s].filter((x) => x.startsWith('add:')).map((x) => x.slice(4));
        return dels.length > 0 && adds.length > 0 && dels.join() !== adds.join();
      }).map(([k]) => k);
      if (kfuncs.length) out.push({ file: path, what: 'kfunc-flags', kfuncs });
    }
  }
  return out;
}
