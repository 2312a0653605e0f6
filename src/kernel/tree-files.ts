/**
 * What the facts extraction reads: a list of candidate paths and a synchronous reader.
 * Backed by a Map (tests, patched states), a plain directory, or git blobs (kernel-tree.ts).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export interface TreeFiles {
  /** Candidate paths (repository-relative, '/' separated). */
  list(): string[];
  /** File text, or null when the path does not exist. */
  read(path: string): string | null;
}

/** An in-memory tree. */
export function mapTreeFiles(files: Map<string, string> | Record<string, string>): TreeFiles {
  const m = files instanceof Map ? files : new Map(Object.entries(files));
  return { list: () => [...m.keys()].sort(), read: (p) => m.get(p) ?? null };
}

/** Paths the extraction always reads when they exist, candidates or not. */
export const FIXED_FILES = [
  'Makefile',
  'include/linux/btf.h',
  'include/linux/bpf.h',
  'include/linux/bpf_verifier.h',
  'kernel/bpf/verifier.c',
  /* v7.x moved regsafe(), states_equal() and friends here */
  'kernel/bpf/states.c',
  'Documentation/bpf/kfuncs.rst',
] as const;

/** Selftest programs, prog_tests tables and the headers they include. */
export function isSelftestPath(p: string): boolean {
  return /^tools\/testing\/selftests\/bpf\/((progs|prog_tests)\/[^/]+\.[ch]|[^/]+\.h)$/.test(p);
}

/** `base` with some files replaced (text) or deleted (null). */
export function overlayTreeFiles(base: TreeFiles, changed: Map<string, string | null>): TreeFiles {
  const paths = new Set(base.list());
  for (const [p, t] of changed) {
    if (t === null) paths.delete(p);
    else paths.add(p);
  }
  const list = [...paths].sort();
  return { list: () => list, read: (p) => (changed.has(p) ? (changed.get(p) ?? null) : base.read(p)) };
}

/** The regular expression that finds kfunc candidates (git grep -E and in-memory filters). */
export const KFUNC_CANDIDATE_PATTERN = 'BTF_ID_FLAGS|BTF_SET8_START|BTF_KFUNCS_START|register_btf_kfunc_id_set|__bpf_kfunc';

/**
 * A plain directory (no git). Lists .c/.h files and the fixed files; skips .git and
 * node_modules. Fine for small trees (the shipped example); use the git reader for a kernel.
 */
export function fsTreeFiles(dir: string): TreeFiles {
  const paths: string[] = [];
  const walk = (d: string): void => {
    for (const ent of readdirSync(d, { withFileTypes: true })) {
      if (ent.name === '.git' || ent.name === 'node_modules') continue;
      const full = join(d, ent.name);
      if (ent.isDirectory()) walk(full);
      else if (ent.isFile()) paths.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  paths.sort();
  return {
    list: () => paths,
    read: (p) => {
      try {
        const full = join(dir, p);
        if (!statSync(full).isFile()) return null;
        return readFileSync(full, 'utf8');
      } catch {
        return null;
      }
    },
  };
}
