/** The fast way to apply a series (see applyOnSmallIndex); applySeries falls back to a full index. */
import { join } from 'node:path';
import { gitOk, runGit, type GitResult } from './run-git.js';
import { blobReaders, ownedTrees, startBlobReader } from './blob-reader.js';
import { parseTreeObject, readSmallIndex, treeObject, writeCommitObject, writeLooseObject, type TreeEntry } from './git-objects.js';
import type { KernelTree } from './open-kernel-tree.js';
import type { PatchApplyResult, SeriesPatch } from './apply-series.js';

/**
 * The fast way to apply a series: `git apply --cached` on an index holding only the paths the
 * series touches (a kernel's full index is 8 MB, read and written by every apply and write-tree:
 * ~130 ms a patch), the trees of each state built here from the base's trees and written as
 * loose objects in the temporary object directory, then `git commit-tree`. Null when this way
 * cannot be taken (a SHA-256 repository, a tree not opened by openKernelTree, paths it cannot
 * read from the diff headers) or a patch does not apply: the caller then applies the series on
 * a full index, which also words the failure.
 */
export async function applyOnSmallIndex(tree: KernelTree, patches: SeriesPatch[], base: string): Promise<PatchApplyResult[] | null> {
  if (!ownedTrees.has(tree) || !/^[0-9a-f]{40}$/.test(base) || patches.length === 0) return null;
  const paths = new Set<string>();
  for (const p of patches) {
    for (const m of p.diffText.matchAll(/^diff --git (.*)$/gm)) {
      const h = /^a\/(\S+) b\/(\S+)$/.exec(m[1] as string);
      if (!h) return null; // quoted or spaced names: leave them to the full index
      paths.add(h[1] as string);
      paths.add(h[2] as string);
    }
  }
  if (paths.size === 0) return null;
  const env: NodeJS.ProcessEnv = { ...tree.env, GIT_INDEX_FILE: join(tree.tmpDir, 'index-series'), GIT_LITERAL_PATHSPECS: '1' };
  const git = (args: string[], input?: string): Promise<GitResult> => runGit(args, { cwd: tree.gitDir, env, input });
  const parseEntries = (out: Buffer, re: RegExp): Map<string, TreeEntry> | null => {
    const m = new Map<string, TreeEntry>();
    for (const rec of out.toString('utf8').split('\0')) {
      if (!rec) continue;
      const e = re.exec(rec);
      if (!e) return null;
      m.set(e[3] as string, { mode: e[1] as string, sha: e[2] as string });
    }
    return m;
  };
  const ls = await git(['ls-tree', '-z', base, '--', ...paths]);
  // only files and submodules: a path that is a directory at the base is left to the full index
  const baseEntries = ls.code === 0 ? parseEntries(ls.stdout, /^(100644|100755|120000|160000) (?:blob|commit) ([0-9a-f]{40})\t(.+)$/s) : null;
  if (!baseEntries) return null;
  if ((await git(['read-tree', '--empty'])).code !== 0) return null;
  if (baseEntries.size > 0) {
    const info = [...baseEntries].map(([p, e]) => `${e.mode} ${e.sha}\t${p}\0`).join('');
    if ((await git(['update-index', '-z', '--index-info'], info)).code !== 0) return null;
  }

  const reader = blobReaders.get(tree) ?? startBlobReader(tree);
  blobReaders.set(tree, reader);
  const readTree = async (spec: string): Promise<Map<string, TreeEntry>> => {
    const [o] = await reader.read([spec]);
    if (!o || o.type !== 'tree') throw new Error(`not a tree: ${spec}`);
    return parseTreeObject(o.data);
  };
  /** Listings of the directories met so far, as they are in the current state ('' = the root). */
  const dirs = new Map<string, Map<string, TreeEntry>>([['', await readTree(`${base}^{tree}`)]]);
  const parentOf = (d: string): string => (d.includes('/') ? d.slice(0, d.lastIndexOf('/')) : '');
  const nameOf = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
  const dirOf = async (d: string): Promise<Map<string, TreeEntry>> => {
    const have = dirs.get(d);
    if (have) return have;
    const parent = await dirOf(parentOf(d));
    const e = parent.get(nameOf(d));
    if (e && e.mode !== '40000') throw new Error(`${d} is a file`);
    const listing = e ? await readTree(e.sha) : new Map<string, TreeEntry>();
    dirs.set(d, listing);
    return listing;
  };

  const results: PatchApplyResult[] = [];
  let current = baseEntries;
  let prev = base;
  for (const p of patches) {
    const text = p.diffText.endsWith('\n') ? p.diffText : `${p.diffText}\n`;
    if ((await git(['apply', '--cached', '--whitespace=nowarn', '-'], text)).code !== 0) return null;
    let next = readSmallIndex(env.GIT_INDEX_FILE as string);
    if (!next) {
      const lsf = await git(['ls-files', '-s', '-z']);
      next = lsf.code === 0 ? parseEntries(lsf.stdout, /^(\d{6}) ([0-9a-f]{40}) 0\t(.+)$/s) : null;
    }
    if (!next) return null;
    const changed: { path: string; deleted: boolean }[] = [];
    for (const path of new Set([...current.keys(), ...next.keys()])) {
      const a = current.get(path);
      const b = next.get(path);
      if (a?.mode !== b?.mode || a?.sha !== b?.sha) changed.push({ path, deleted: !b });
    }
    changed.sort((x, y) => Buffer.compare(Buffer.from(x.path), Buffer.from(y.path)));
    const dirty = new Set<string>(['']);
    for (const c of changed) {
      const d = parentOf(c.path);
      const listing = await dirOf(d);
      const e = next.get(c.path);
      const old = listing.get(nameOf(c.path));
      if (old?.mode === '40000') throw new Error(`${c.path} is a directory`);
      if (e) listing.set(nameOf(c.path), e);
      else listing.delete(nameOf(c.path));
      for (let x = d; x !== ''; x = parentOf(x)) dirty.add(x);
    }
    // write the changed trees, deepest first, and hang each in its parent
    let root = '';
    const depth = (d: string): number => (d === '' ? 0 : d.split('/').length);
    for (const d of [...dirty].sort((x, y) => depth(y) - depth(x) || (x < y ? -1 : 1))) {
      const listing = dirs.get(d) as Map<string, TreeEntry>;
      if (d === '') {
        root = writeLooseObject(tree, 'tree', treeObject(listing));
        continue;
      }
      const parent = dirs.get(parentOf(d)) as Map<string, TreeEntry>;
      if (listing.size === 0) {
        parent.delete(nameOf(d)); // git keeps no empty directories
        dirs.delete(d);
      } else {
        parent.set(nameOf(d), { mode: '40000', sha: writeLooseObject(tree, 'tree', treeObject(listing)) });
      }
    }
    const message = p.subject ?? `patch ${p.counter}`;
    const commit = writeCommitObject(tree, root, prev, message) ?? (await gitOk(tree, ['commit-tree', root, '-p', prev, '-m', message])).trim();
    results.push({ counter: p.counter, commit, error: null, skipped: false, changed });
    current = next;
    prev = commit;
  }
  return results;
}

