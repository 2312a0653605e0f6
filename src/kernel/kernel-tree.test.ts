/**
 * applySeries builds the trees of each state itself (small index, trees written in process):
 * they must be git's own, for every kind of change a patch makes; and the long-lived
 * `git cat-file --batch` reader must answer like a one-off one.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applySeries, changedFiles, openKernelTree, readBlobs, runGit, type KernelTree, type SeriesPatch } from './kernel-tree.js';

const temps: string[] = [];
const ENV = {
  ...process.env, GIT_AUTHOR_NAME: 'u', GIT_AUTHOR_EMAIL: 'u@x', GIT_COMMITTER_NAME: 'u', GIT_COMMITTER_EMAIL: 'u@x',
  GIT_AUTHOR_DATE: '1700000000 +0000', GIT_COMMITTER_DATE: '1700000000 +0000', GIT_CONFIG_NOSYSTEM: '1',
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: ENV, maxBuffer: 1 << 26 });
}

function write(dir: string, path: string, text: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

const big = Array.from({ length: 6000 }, (_, i) => `line ${i} of a file larger than a pipe chunk`).join('\n') + '\n';

interface Fixture {
  repo: string;
  base: string;
  /** commits of the series made by git, in order */
  commits: string[];
  patches: SeriesPatch[];
}

/** A repository and a series made by git itself: edits, new dirs, deletions, a rename, modes, a symlink. */
function fixture(): Fixture {
  const repo = mkdtempSync(join(tmpdir(), 'bpf-review-small-index-'));
  temps.push(repo);
  git(repo, 'init', '-q', '-b', 'main');
  write(repo, 'Makefile', 'VERSION = 6\n');
  write(repo, 'kernel/bpf/verifier.c', 'int a;\nint b;\n');
  write(repo, 'kernel/bpf/helpers.c', 'int h;\n');
  write(repo, 'kernel/bpf/big.c', big);
  // git orders a directory as if its name ended in '/': foo.c before foo/, unlike plain names
  write(repo, 'kernel/bpf/foo.c', 'int foo;\n');
  write(repo, 'kernel/bpf/foo/bar.c', 'int bar;\n');
  write(repo, 'include/linux/btf.h', '#define KF_A (1 << 0)\n');
  write(repo, 'lonely/only.txt', 'alone\n');
  write(repo, 'tools/x.sh', 'echo x\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'base');
  const base = git(repo, 'rev-parse', 'HEAD').trim();
  const steps: [string, () => void][] = [
    ['edit two files in two dirs', () => {
      write(repo, 'kernel/bpf/verifier.c', 'int a;\nint b2;\nint c;\n');
      write(repo, 'include/linux/btf.h', '#define KF_A (1 << 0)\n#define KF_B (1 << 1)\n');
    }],
    ['new file in new nested dirs', () => write(repo, 'tools/testing/selftests/bpf/progs/new_test.c', 'SEC("tc")\nint p(void *c) { return 0; }\n')],
    ['delete the only file of a dir', () => unlinkSync(join(repo, 'lonely/only.txt'))],
    ['rename', () => git(repo, 'mv', 'kernel/bpf/helpers.c', 'kernel/bpf/helpers2.c')],
    ['mode change and a symlink', () => {
      chmodSync(join(repo, 'tools/x.sh'), 0o755);
      symlinkSync('x.sh', join(repo, 'tools/y.sh'));
    }],
    ['edit a big file', () => write(repo, 'kernel/bpf/big.c', big.replace('line 3000 of', 'line 3000, edited, of'))],
  ];
  const commits: string[] = [];
  const patches: SeriesPatch[] = [];
  for (const [i, [subject, change]] of steps.entries()) {
    change();
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', subject);
    commits.push(git(repo, 'rev-parse', 'HEAD').trim());
    patches.push({ counter: i + 1, subject, diffText: git(repo, 'diff', '--binary', '-M', 'HEAD~1', 'HEAD') });
  }
  return { repo, base, commits, patches };
}

let fx: Fixture;
let tree: KernelTree;

beforeAll(async () => {
  fx = fixture();
  tree = await openKernelTree(fx.repo);
});
afterAll(async () => {
  await tree?.close();
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

const treeOf = async (t: KernelTree, commit: string): Promise<string> =>
  (await runGit(['rev-parse', `${commit}^{tree}`], { cwd: t.gitDir, env: t.env })).stdout.toString().trim();

describe('applySeries builds the trees git builds', () => {
  it('gives after each patch the tree of the commit git made, and the paths it changed', async () => {
    const applied = await applySeries(tree, fx.patches, fx.base);
    expect(applied.mode).toBe('tree');
    expect(applied.patches.map((p) => p.error)).toEqual(fx.patches.map(() => null));
    for (const [i, r] of applied.patches.entries()) {
      expect(await treeOf(tree, r.commit as string)).toBe(git(fx.repo, 'rev-parse', `${fx.commits[i]}^{tree}`).trim());
      // the changed paths are the ones git diff-tree names, and their texts the same
      const prev = i === 0 ? fx.base : (applied.patches[i - 1]?.commit as string);
      const viaGit = await changedFiles(tree, prev, r.commit as string);
      expect(r.changed?.map((c) => c.path)).toEqual([...viaGit.keys()]);
      expect(r.changed?.filter((c) => c.deleted).map((c) => c.path)).toEqual([...viaGit].filter(([, t]) => t === null).map(([p]) => p));
    }
    expect(applied.final).toBe(applied.patches[applied.patches.length - 1]?.commit);
  });

  it('makes the commit git commit-tree makes, with the parent chain of the series', async () => {
    const applied = await applySeries(tree, fx.patches.slice(0, 2), fx.base);
    const second = applied.patches[1]?.commit as string;
    const first = applied.patches[0]?.commit as string;
    const viaGit = (await runGit(['commit-tree', await treeOf(tree, second), '-p', first, '-m', fx.patches[1]?.subject as string], { cwd: tree.gitDir, env: tree.env })).stdout.toString().trim();
    expect(second).toBe(viaGit);
  });

  it('still words a patch that does not apply as git does (the full index is used then)', async () => {
    const bad: SeriesPatch = { counter: 2, subject: 'stale', diffText: (fx.patches[0] as SeriesPatch).diffText };
    const applied = await applySeries(tree, [fx.patches[0] as SeriesPatch, bad], fx.base);
    expect(applied.mode).toBe('diff-only');
    expect(applied.patches[0]?.commit).toBeTruthy();
    expect(applied.patches[1]?.error?.file).toBe('include/linux/btf.h');
  });
});

describe('readBlobs through the long-lived cat-file', () => {
  it('answers concurrent reads in order, with missing paths, trees and big blobs', async () => {
    const last = fx.commits[fx.commits.length - 1] as string;
    const [a, b, c] = await Promise.all([
      readBlobs(tree, fx.base, ['kernel/bpf/big.c', 'nope.c', 'kernel/bpf']),
      readBlobs(tree, last, ['kernel/bpf/big.c', 'tools/x.sh']),
      readBlobs(tree, fx.base, ['Makefile']),
    ]);
    expect(a.get('kernel/bpf/big.c')).toBe(big);
    expect(a.get('nope.c')).toBeNull();
    expect(a.get('kernel/bpf')).toBeNull(); // a tree, not a blob
    expect(b.get('kernel/bpf/big.c')).toContain('line 3000, edited, of');
    expect(b.get('tools/x.sh')).toBe('echo x\n');
    expect(c.get('Makefile')).toBe('VERSION = 6\n');
  });
});
