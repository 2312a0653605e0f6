import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCParser, type CParser } from '../../src/kernel/c-parser.js';
import { diffFacts } from '../../src/kernel/diff-facts.js';
import { extractFacts, extractFactsIncremental } from '../../src/kernel/extract-facts.js';
import { applySeries, changedFiles, locateApplyFailure, openKernelTree, readTreeFiles, type KernelTree } from '../../src/kernel/kernel-tree.js';
import { PatchDoesNotApplyError } from '../../src/model/errors.js';
import { CLEAN_FIX, EXAMPLE_SERIES, EXAMPLE_TREE, readMboxPatches } from './series-fixture.js';

const series = readMboxPatches(EXAMPLE_SERIES);
let parser: CParser;
const temps: string[] = [];

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd, encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'u', GIT_AUTHOR_EMAIL: 'u@x', GIT_COMMITTER_NAME: 'u', GIT_COMMITTER_EMAIL: 'u@x', GIT_CONFIG_NOSYSTEM: '1' },
  });
}

/** A user's checkout of the example tree with a dirty file and a staged change. */
function userRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bpf-review-user-'));
  temps.push(dir);
  cpSync(EXAMPLE_TREE, dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'user base');
  writeFileSync(join(dir, 'README'), 'dirty work tree file\n');
  writeFileSync(join(dir, 'staged.txt'), 'staged\n');
  git(dir, 'add', 'staged.txt');
  return dir;
}

function countFiles(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? countFiles(join(dir, e.name)) : 1;
  return n;
}

function snapshot(dir: string) {
  return {
    head: git(dir, 'rev-parse', 'HEAD'),
    symbolic: git(dir, 'symbolic-ref', 'HEAD'),
    status: git(dir, 'status', '--porcelain'),
    index: createHash('sha256').update(readFileSync(join(dir, '.git', 'index'))).digest('hex'),
    refs: git(dir, 'for-each-ref'),
    worktrees: git(dir, 'worktree', 'list', '--porcelain'),
    objects: countFiles(join(dir, '.git', 'objects')),
    readme: readFileSync(join(dir, 'README'), 'utf8'),
    helpers: readFileSync(join(dir, 'kernel/bpf/helpers.c'), 'utf8'),
  };
}

beforeAll(async () => {
  parser = await loadCParser();
});
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

describe('applySeries on a user checkout', () => {
  it('applies patch by patch and leaves HEAD, index, files, refs, worktrees and objects untouched', async () => {
    const dir = userRepo();
    const before = snapshot(dir);
    const tree = await openKernelTree(dir);
    const applied = await applySeries(tree, series.patches, series.baseCommit);
    expect(applied.mode).toBe('tree');
    expect(applied.baseSource).toBe('head'); // the example base-commit is not in this repository
    expect(applied.baseNote).toMatch(/is not in the repository; applied on HEAD/);
    expect(applied.patches.map((p) => [p.counter, p.commit !== null, p.error])).toEqual([[1, true, null], [2, true, null], [3, true, null]]);
    expect(applied.final).toBe(applied.patches[2]?.commit);
    // the applied state is readable although nothing was checked out
    const files = await readTreeFiles(tree, applied.final as string);
    expect(files.read('include/linux/btf.h')).toContain('KF_RELEASE_NON_OWN');
    await tree.close();
    expect(existsSync(tree.tmpDir)).toBe(false);
    expect(snapshot(dir)).toEqual(before);
  });

  it('uses base-commit when the repository has it', async () => {
    const dir = userRepo();
    const first = git(dir, 'rev-parse', 'HEAD').trim();
    writeFileSync(join(dir, 'other.txt'), 'x\n');
    git(dir, 'add', 'other.txt');
    git(dir, 'commit', '-q', '-m', 'later');
    const tree = await openKernelTree(dir);
    try {
      const applied = await applySeries(tree, series.patches, first);
      expect(applied.baseSource).toBe('base-commit');
      expect(applied.base).toBe(first);
      const files = await readTreeFiles(tree, applied.final as string);
      expect(files.read('other.txt')).toBeNull();
    } finally {
      await tree.close();
    }
  });

  it('reports the patch, file, hunk and git message of a patch that does not apply, then falls back to diff-only', async () => {
    const dir = userRepo();
    const tree = await openKernelTree(dir);
    try {
      const broken = series.patches.map((p) => (p.counter === 2 ? { ...p, diffText: p.diffText.replace('int use_after_unlock_push_front(void *ctx)', 'int renamed_upstream(void *ctx)') } : p));
      const applied = await applySeries(tree, broken, null);
      expect(applied.mode).toBe('diff-only');
      expect(applied.baseNote).toMatch(/no base-commit given/);
      const [p1, p2, p3] = applied.patches;
      expect(p1?.commit).not.toBeNull();
      expect(p2?.error).toBeInstanceOf(PatchDoesNotApplyError);
      expect(p2?.error?.file).toBe('tools/testing/selftests/bpf/progs/linked_list_fail.c');
      expect(p2?.error?.hunk).toMatch(/^@@ -\d+,\d+ \+\d+(,\d+)? @@/);
      expect(p2?.error?.gitOutput).toMatch(/patch does not apply/);
      expect(applied.reason).toMatch(/^patch 2 does not apply \(tools\/testing\/selftests\/bpf\/progs\/linked_list_fail\.c/);
      expect(p3).toMatchObject({ commit: null, error: null, skipped: true });
      expect(applied.final).toBeNull();
    } finally {
      await tree.close();
    }
  });
});

describe('reading the facts of a checkout at HEAD', () => {
  it('greps the work tree, yet reads HEAD: a local edit that drops the kfunc macros hides nothing and changes nothing', async () => {
    const dir = userRepo();
    const clean = await openKernelTree(dir);
    const expected = extractFacts(await readTreeFiles(clean, clean.head), parser).kfuncs;
    await clean.close();
    expect(expected.length).toBeGreaterThan(5);
    const helpers = join(dir, 'kernel/bpf/helpers.c');
    writeFileSync(helpers, readFileSync(helpers, 'utf8').replace(/BTF_ID_FLAGS\(/g, 'XXX_ID_FLAGS(').replace(/BTF_SET8_START/g, 'XXX_SET8_START'));
    const before = snapshot(dir);
    const tree = await openKernelTree(dir);
    try {
      expect(tree.workTree?.dir).toBe(dir);
      const files = await readTreeFiles(tree, tree.head);
      expect(files.list()).toContain('kernel/bpf/helpers.c');
      expect(files.read('kernel/bpf/helpers.c')).toContain('BTF_ID_FLAGS(');
      expect(extractFacts(files, parser).kfuncs).toEqual(expected);
    } finally {
      await tree.close();
    }
    expect(snapshot(dir)).toEqual(before);
  });
});

describe('the shipped example tree and series', () => {
  let tree: KernelTree;
  beforeAll(async () => {
    tree = await openKernelTree(EXAMPLE_TREE);
  });
  afterAll(async () => {
    await tree?.close();
  });

  it('imports the plain directory deterministically, so the series base-commit is found', async () => {
    expect(tree.imported).toBe(true);
    const applied = await applySeries(tree, series.patches, series.baseCommit);
    expect(series.baseCommit).toBe(tree.head);
    expect(applied.baseSource).toBe('base-commit');
    expect(applied.mode).toBe('tree');
    const clean = readMboxPatches(CLEAN_FIX);
    const c = await applySeries(tree, clean.patches, clean.baseCommit);
    expect(c).toMatchObject({ mode: 'tree', baseSource: 'base-commit' });
  });

  it('gives a bisect view: facts after each patch, incrementally equal to full extraction', async () => {
    const applied = await applySeries(tree, series.patches, series.baseCommit);
    const baseFiles = await readTreeFiles(tree, applied.base);
    let prevFacts = extractFacts(baseFiles, parser);
    let prevCommit = applied.base;
    let context = baseFiles;
    const after: ReturnType<typeof extractFacts>[] = [];
    for (const p of applied.patches) {
      const commit = p.commit as string;
      const changed = await changedFiles(tree, prevCommit, commit);
      const inc = extractFactsIncremental(prevFacts, changed, parser, { context });
      const fullFiles = await readTreeFiles(tree, commit);
      expect(inc).toEqual(extractFacts(fullFiles, parser));
      after.push(inc);
      prevFacts = inc;
      prevCommit = commit;
      context = fullFiles;
    }
    expect([...(await changedFiles(tree, applied.base, applied.patches[0]?.commit as string)).keys()]).toEqual([
      'include/linux/bpf.h', 'include/linux/bpf_verifier.h', 'include/linux/btf.h', 'kernel/bpf/helpers.c', 'kernel/bpf/verifier.c',
    ]);
    // after patch 1 the flag exists but the selftests still expect the old semantics
    expect(after[0]?.flags.find((f) => f.name === 'KF_RELEASE_NON_OWN')?.bit).toBe(8);
    expect(after[0]?.expectedFailures.map((r) => r.program)).toContain('write_after_push_front');
    expect(after[1]?.expectedFailures.map((r) => r.program)).not.toContain('write_after_push_front');
    expect(after[2]?.kfuncsDoc.some((s) => s.title === '2.4.9 KF_RELEASE_NON_OWN flag')).toBe(true);
  });

  it('diffFacts shows what the series changed', async () => {
    const applied = await applySeries(tree, series.patches, series.baseCommit);
    const before = extractFacts(await readTreeFiles(tree, applied.base), parser);
    const after = extractFacts(await readTreeFiles(tree, applied.final as string), parser);
    const d = diffFacts(before, after);
    expect(d.flagDefsAdded.map((f) => [f.name, f.bit])).toEqual([['KF_RELEASE_NON_OWN', 8]]);
    expect(d.flagDefsRemoved).toEqual([]);
    expect(d.flagDefsRenumbered).toEqual([]); // realigned, same bits
    expect(d.flagsChanged.map((c) => [c.name, c.before, c.after])).toEqual([
      ['bpf_list_push_front', [], ['KF_RELEASE', 'KF_RELEASE_NON_OWN']],
      ['bpf_list_push_back', [], ['KF_RELEASE', 'KF_RELEASE_NON_OWN']],
    ]);
    expect(d.kfuncsAdded).toEqual([]);
    expect(d.kfuncsRemoved).toEqual([]);
    expect(d.structMembersAdded.map((m) => `${m.struct}.${m.member.name}`)).toEqual([
      'bpf_active_lock.ptr', 'bpf_active_lock.id', 'bpf_reg_state.non_owning_ref_lock',
    ]);
    expect(d.structMembersAdded.find((m) => m.member.name === 'non_owning_ref_lock')?.member.type).toBe('struct bpf_active_lock');
    expect(d.structMembersRemoved?.map((m) => `${m.struct}.${m.member.name}`)).toEqual(['bpf_reference_state.release_on_unlock']);
    expect(d.selftestsRemoved.map((p) => p.name).sort()).toEqual(['write_after_push_back', 'write_after_push_front']);
    expect(d.selftestsAdded.map((p) => p.name)).toEqual(['write_after_push']);
    // regsafe was not touched: it still does not read the new member
    expect(after.verifierFunctions.find((f) => f.name === 'regsafe')?.membersRead).not.toContain('non_owning_ref_lock');
  });
});

describe('locateApplyFailure', () => {
  it('maps git messages to file and hunk', () => {
    const diff = 'diff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n@@ -10,3 +10,4 @@ int f(void)\n a\n+b\n c\n d\n';
    expect(locateApplyFailure('error: patch failed: x.c:10\nerror: x.c: patch does not apply\n', diff)).toEqual({ file: 'x.c', hunk: '@@ -10,3 +10,4 @@ int f(void)' });
    expect(locateApplyFailure('error: y.c: does not exist in index\n', diff)).toEqual({ file: 'y.c', hunk: null });
  });
});
