/**
 * Reading the graph selftests (and the kfunc flag table) of a kernel tree: a checkout, a
 * directory holding the bpf selftests, or a bare git directory (`git show HEAD:path`).
 * IO at the edge: used by the `model` command, scripts/score-model and the benchmark.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { kfuncFlagsFromText } from './kfunc-flags.js';

/** Graph selftests scored against ../shared/data/selftest-expectations (the rbtree_btf_fail__* objects are checked at BTF load, not by the verifier). */
export const GRAPH = /^(progs\/(linked_list|rbtree|refcounted_kptr)(?![^/]*__)[^/]*\.[ch]|prog_tests\/(linked_list|rbtree|refcounted_kptr)\.c)$/;

/** The progs files ../shared/data/selftest-expectations/progs_clean.json covers. */
export const DATA_SET = /(^|\/)progs\/(linked_list|linked_list_fail|rbtree|rbtree_fail|refcounted_kptr|refcounted_kptr_fail)\.c$/;

export function readGraphSelftests(tree: string): { files: { path: string; text: string }[]; version: string | null; kfuncFlags: Map<string, string[]> } {
  const files: { path: string; text: string }[] = [];
  let version: string | null = null;
  let kfuncFlags = new Map<string, string[]>();
  const isBare = existsSync(join(tree, 'HEAD')) && existsSync(join(tree, 'objects'));
  if (isBare) {
    const all = execFileSync('git', ['--git-dir', tree, 'ls-tree', '-r', '--name-only', 'HEAD'], { maxBuffer: 1 << 28 }).toString().split('\n');
    const root = all.find((p) => p.endsWith('tools/testing/selftests/bpf/progs/linked_list.c'))?.replace(/progs\/linked_list\.c$/, '');
    if (root === undefined) throw new Error(`no bpf selftests in ${tree}`);
    for (const p of all) {
      if (!p.startsWith(root)) continue;
      const rel = p.slice(root.length);
      if (GRAPH.test(rel)) files.push({ path: p.slice(prefixOf(root).length), text: execFileSync('git', ['--git-dir', tree, 'show', `HEAD:${p}`]).toString() });
    }
    const present = new Set(all);
    addLocalHeaders(files, (path) => (present.has(prefixOf(root) + path) ? execFileSync('git', ['--git-dir', tree, 'show', `HEAD:${prefixOf(root)}${path}`]).toString() : null));
    const prefix = root.replace(/tools\/testing\/selftests\/bpf\/$/, '');
    const mk = all.find((p) => p === `${prefix}Makefile`);
    if (mk) version = makefileVersion(execFileSync('git', ['--git-dir', tree, 'show', `HEAD:${mk}`]).toString());
    const helpers = all.find((p) => p === `${prefix}kernel/bpf/helpers.c`);
    if (helpers) kfuncFlags = kfuncFlagsFromText(execFileSync('git', ['--git-dir', tree, 'show', `HEAD:${helpers}`], { maxBuffer: 1 << 26 }).toString());
  } else {
    const cands = [join(tree, 'tools/testing/selftests/bpf'), tree];
    const root = cands.find((c) => existsSync(join(c, 'progs')));
    if (!root) throw new Error(`no bpf selftests in ${tree}`);
    for (const d of ['progs', 'prog_tests']) {
      const dir = join(root, d);
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir)) {
        const rel = `${d}/${f}`;
        if (GRAPH.test(rel) && statSync(join(dir, f)).isFile()) files.push({ path: root === tree ? rel : `${SELFTESTS}${rel}`, text: readFileSync(join(dir, f), 'utf8') });
      }
    }
    addLocalHeaders(files, (path) => {
      const full = root === tree ? join(tree, path) : join(tree, path);
      return existsSync(full) && statSync(full).isFile() ? readFileSync(full, 'utf8') : null;
    });
    if (existsSync(join(tree, 'Makefile'))) version = makefileVersion(readFileSync(join(tree, 'Makefile'), 'utf8'));
    const helpers = join(tree, 'kernel/bpf/helpers.c');
    if (existsSync(helpers)) kfuncFlags = kfuncFlagsFromText(readFileSync(helpers, 'utf8'));
  }
  files.sort((a, b) => a.path.localeCompare(b.path));
  return { files, version, kfuncFlags };
}

const SELFTESTS = 'tools/testing/selftests/bpf/';

/** Add the local headers (`#include "x.h"` next to a progs file) the selected files include, transitively. */
function addLocalHeaders(files: { path: string; text: string }[], read: (path: string) => string | null): void {
  const have = new Set(files.map((f) => f.path));
  for (let i = 0; i < files.length; i++) {
    const f = files[i]!;
    const dir = f.path.includes('/') ? f.path.slice(0, f.path.lastIndexOf('/') + 1) : '';
    for (const m of f.text.matchAll(/^\s*#\s*include\s+"([^"]+\.h)"/gm)) {
      const path = dir + m[1]!;
      if (have.has(path)) continue;
      have.add(path);
      const text = read(path);
      if (text !== null) files.push({ path, text });
    }
  }
}
const prefixOf = (root: string): string => root.replace(/tools\/testing\/selftests\/bpf\/$/, '');

export function makefileVersion(mk: string): string | null {
  const v = /^VERSION = (\d+)/m.exec(mk)?.[1];
  const p = /^PATCHLEVEL = (\d+)/m.exec(mk)?.[1];
  const s = /^SUBLEVEL = (\d+)/m.exec(mk)?.[1];
  return v && p ? `${v}.${p}.${s ?? 0}` : null;
}

