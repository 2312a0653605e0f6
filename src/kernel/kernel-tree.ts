/**
 * Read-only access to a kernel tree with git, and applying a series to it patch by patch.
 *
 * The user's checkout is never modified: every git command runs with a temporary index file
 * (GIT_INDEX_FILE) and a temporary object directory (GIT_OBJECT_DIRECTORY, the repository's own
 * objects as an alternate), so applied patches become commits that live only in a temp dir. No
 * ref, worktree, index entry or file of the user's repository is touched. A plain directory
 * (no git) is imported into a temporary repository first.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, mkdir } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { PatchDoesNotApplyError, SourceUnreadableError } from '../model/errors.js';
import { FIXED_FILES, KFUNC_CANDIDATE_PATTERN, isSelftestPath, mapTreeFiles, type TreeFiles } from './tree-files.js';

export interface KernelTree {
  /** What the user gave. */
  dir: string;
  /** The repository's git dir (the temp repo's for an imported plain directory). */
  gitDir: string;
  /** The checkout's HEAD commit (for an imported directory, the import commit). */
  head: string;
  /** True when `dir` was a plain directory imported into a temporary repository. */
  imported: boolean;
  /** Temp dir holding the index and new objects; removed by close(). */
  tmpDir: string;
  /** Environment every git command runs with. */
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Paths whose blobs are often absent from partial mirrors (huge generated headers). */
const SKIP_PATHSPECS = [':(exclude)drivers/gpu/drm/amd/include/asic_reg'];

const FIXED_IDENT = {
  GIT_AUTHOR_NAME: 'bpf-review', GIT_AUTHOR_EMAIL: 'bpf-review@localhost', GIT_AUTHOR_DATE: '1700000000 +0000',
  GIT_COMMITTER_NAME: 'bpf-review', GIT_COMMITTER_EMAIL: 'bpf-review@localhost', GIT_COMMITTER_DATE: '1700000000 +0000',
};

/**
 * Message of the import commit of a plain directory. With the fixed identity and dates the
 * import commit of a given tree is always the same, so a series generated against it can name
 * it in `base-commit:` (the shipped example series does).
 */
export const IMPORT_MESSAGE = 'bpf-review: import of a plain directory';

/** Run git; never throws on a non-zero exit (the caller reads `code`). */
export function runGit(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string | Buffer } = {}): Promise<GitResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('git', args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? 1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.on('error', () => undefined);
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

async function gitOk(tree: Pick<KernelTree, 'env' | 'gitDir'>, args: string[], input?: string | Buffer): Promise<string> {
  const r = await runGit(args, { env: tree.env, input, cwd: tree.gitDir });
  if (r.code !== 0) throw new SourceUnreadableError(`git ${args.join(' ')}: ${r.stderr.trim()}`, tree.gitDir);
  return r.stdout.toString('utf8');
}

function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...FIXED_IDENT, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
  for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_NAMESPACE']) delete env[k];
  return env;
}

/**
 * Open DIR read-only: a git work tree or bare repository is used in place; a plain directory
 * is imported into a temporary repository (its files are only read).
 */
export async function openKernelTree(dir: string): Promise<KernelTree> {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new SourceUnreadableError(`not a directory: ${dir}`, dir);
  const tmpDir = await mkdtemp(join(tmpdir(), 'bpf-review-tree-'));
  const close = async (): Promise<void> => {
    await rm(tmpDir, { recursive: true, force: true });
  };
  try {
    const env0 = baseEnv();
    const probe = await runGit(['rev-parse', '--absolute-git-dir', '--is-bare-repository'], { cwd: abs, env: env0 });
    const lines = probe.stdout.toString('utf8').trim().split('\n');
    let isRepoRoot = false;
    if (probe.code === 0 && lines[1] === 'true') isRepoRoot = resolve(lines[0] as string) === abs;
    else if (probe.code === 0) {
      const top = await runGit(['rev-parse', '--show-toplevel'], { cwd: abs, env: env0 });
      isRepoRoot = top.code === 0 && resolve(top.stdout.toString('utf8').trim()) === abs;
    }
    if (isRepoRoot) {
      const gitDir = lines[0] as string;
      const objects0 = (await runGit(['rev-parse', '--git-path', 'objects'], { cwd: gitDir, env: env0 })).stdout.toString('utf8').trim();
      const objects = isAbsolute(objects0) ? objects0 : resolve(gitDir, objects0);
      const ownObjects = join(tmpDir, 'objects');
      await mkdir(ownObjects, { recursive: true });
      const env: NodeJS.ProcessEnv = {
        ...env0,
        GIT_DIR: gitDir,
        GIT_INDEX_FILE: join(tmpDir, 'index'),
        GIT_OBJECT_DIRECTORY: ownObjects,
        GIT_ALTERNATE_OBJECT_DIRECTORIES: objects,
      };
      const head = (await runGit(['rev-parse', '--verify', 'HEAD^{commit}'], { cwd: gitDir, env })).stdout.toString('utf8').trim();
      if (!/^[0-9a-f]{40,64}$/.test(head)) throw new SourceUnreadableError(`${dir}: the repository has no HEAD commit`, dir);
      return { dir: abs, gitDir, head, imported: false, tmpDir, env, close };
    }
    // a plain directory: import it into a temporary repository
    const gitDir = join(tmpDir, 'repo.git');
    const init = await runGit(['init', '-q', '--bare', gitDir], { env: env0 });
    if (init.code !== 0) throw new SourceUnreadableError(`git init: ${init.stderr}`, dir);
    const env: NodeJS.ProcessEnv = { ...env0, GIT_DIR: gitDir, GIT_INDEX_FILE: join(tmpDir, 'index') };
    const add = await runGit(['--work-tree', abs, 'add', '-A', '-f', '.'], { cwd: abs, env });
    if (add.code !== 0) throw new SourceUnreadableError(`importing ${dir}: ${add.stderr.trim()}`, dir);
    const treeSha = (await gitOk({ env, gitDir }, ['write-tree'])).trim();
    const head = (await gitOk({ env, gitDir }, ['commit-tree', treeSha, '-m', IMPORT_MESSAGE])).trim();
    return { dir: abs, gitDir, head, imported: true, tmpDir, env, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Whether `rev` names a commit in the repository. */
export async function hasCommit(tree: KernelTree, rev: string): Promise<boolean> {
  if (!/^[0-9a-zA-Z._\/^~-]+$/.test(rev)) return false;
  const r = await runGit(['cat-file', '-e', `${rev}^{commit}`], { cwd: tree.gitDir, env: tree.env });
  return r.code === 0;
}

async function resolveCommit(tree: KernelTree, rev: string): Promise<string> {
  return (await gitOk(tree, ['rev-parse', '--verify', `${rev}^{commit}`])).trim();
}

export interface SeriesPatch {
  counter: number;
  diffText: string;
  /** Subject, used as the commit message of the temporary commit. */
  subject?: string;
}

export interface PatchApplyResult {
  counter: number;
  /** The tree state after this patch (a commit in the temp object store), null when not applied. */
  commit: string | null;
  error: PatchDoesNotApplyError | null;
  /** True when an earlier patch failed and this one was not tried. */
  skipped: boolean;
}

export interface AppliedSeries {
  /** The commit the series was applied on. */
  base: string;
  baseSource: 'base-commit' | 'head';
  /** Human sentence: which base was used and why. */
  baseNote: string;
  mode: 'tree' | 'diff-only';
  /** Why the series fell back to diff-only mode. */
  reason: string | null;
  patches: PatchApplyResult[];
  /** The commit after the last patch when all applied, else null. */
  final: string | null;
}

/** Which file and hunk git complained about, from `git apply` output and the diff. */
export function locateApplyFailure(stderr: string, diffText: string): { file: string | null; hunk: string | null } {
  const m = /patch failed: (.+?):(\d+)/.exec(stderr);
  const missing = /error: (.+?): (does not exist in index|No such file or directory|already exists in index)/.exec(stderr);
  const file = m ? (m[1] as string) : missing ? (missing[1] as string) : (/error: (.+?): patch does not apply/.exec(stderr)?.[1] ?? null);
  if (!file) return { file: null, hunk: null };
  let hunk: string | null = null;
  if (m) {
    const line = Number(m[2]);
    // the hunk of that file whose old start is the reported line
    const parts = diffText.split(/^(?=diff --git )/m);
    const part = parts.find((p) => p.startsWith('diff --git') && (p.includes(` b/${file}\n`) || p.includes(`+++ b/${file}\n`) || p.includes(`--- a/${file}\n`)));
    for (const h of part?.matchAll(/^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@.*$/gm) ?? []) {
      if (Number(h[1]) === line) {
        hunk = h[0];
        break;
      }
    }
    hunk ??= `@@ -${line}`;
  }
  return { file, hunk };
}

/**
 * Apply a series patch by patch on `baseCommit` (when that commit is in the repository) or on
 * HEAD. Each applied patch becomes a commit in the temp object store (bisect view). After the
 * first failure the rest are skipped and the mode is 'diff-only'.
 */
export async function applySeries(tree: KernelTree, patches: SeriesPatch[], baseCommit?: string | null): Promise<AppliedSeries> {
  let base: string;
  let baseSource: AppliedSeries['baseSource'];
  let baseNote: string;
  if (baseCommit && (await hasCommit(tree, baseCommit))) {
    base = await resolveCommit(tree, baseCommit);
    baseSource = 'base-commit';
    baseNote = `applied on base-commit ${baseCommit}`;
  } else {
    base = tree.head;
    baseSource = 'head';
    baseNote = baseCommit
      ? `base-commit ${baseCommit} is not in the repository; applied on HEAD ${tree.head.slice(0, 12)}`
      : `no base-commit given; applied on HEAD ${tree.head.slice(0, 12)}`;
  }
  await gitOk(tree, ['read-tree', base]);
  const results: PatchApplyResult[] = [];
  let prev = base;
  let failure: PatchApplyResult | null = null;
  for (const p of patches) {
    if (failure) {
      results.push({ counter: p.counter, commit: null, error: null, skipped: true });
      continue;
    }
    const text = p.diffText.endsWith('\n') ? p.diffText : `${p.diffText}\n`;
    const r = await runGit(['apply', '--cached', '--whitespace=nowarn', '-'], { cwd: tree.gitDir, env: tree.env, input: text });
    if (r.code !== 0) {
      const where = locateApplyFailure(r.stderr, text);
      const msg = `patch ${p.counter} does not apply${where.file ? ` (${where.file}${where.hunk ? `, ${where.hunk}` : ''})` : ''}: ${r.stderr.trim().split('\n')[0] ?? ''}`;
      const error = new PatchDoesNotApplyError(msg, `patch ${p.counter}`, where.file, where.hunk, r.stderr.trim());
      failure = { counter: p.counter, commit: null, error, skipped: false };
      results.push(failure);
      continue;
    }
    const treeSha = (await gitOk(tree, ['write-tree'])).trim();
    const commit = (await gitOk(tree, ['commit-tree', treeSha, '-p', prev, '-m', p.subject ?? `patch ${p.counter}`])).trim();
    results.push({ counter: p.counter, commit, error: null, skipped: false });
    prev = commit;
  }
  const failed = failure?.error ?? null;
  return {
    base, baseSource, baseNote,
    mode: failed ? 'diff-only' : 'tree',
    reason: failed ? failed.message : null,
    patches: results,
    final: failed ? null : prev,
  };
}

/** Read many blobs with one `git cat-file --batch`; missing ones map to null. */
export async function readBlobs(tree: KernelTree, commit: string, paths: string[]): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  if (paths.length === 0) return out;
  const input = paths.map((p) => `${commit}:${p}`).join('\n') + '\n';
  const r = await runGit(['cat-file', '--batch'], { cwd: tree.gitDir, env: tree.env, input });
  const buf = r.stdout;
  let pos = 0;
  for (const p of paths) {
    const nl = buf.indexOf(10, pos);
    if (nl < 0) {
      out.set(p, null);
      continue;
    }
    const header = buf.subarray(pos, nl).toString('utf8');
    pos = nl + 1;
    const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
    if (!m) {
      out.set(p, null); // "<name> missing" / ambiguous
      continue;
    }
    const size = Number(m[2]);
    out.set(p, m[1] === 'blob' ? buf.subarray(pos, pos + size).toString('utf8') : null);
    pos += size + 1;
  }
  return out;
}

/** Candidate paths at a commit: files naming a kfunc macro, the fixed files and the BPF selftests. */
export async function listCandidates(tree: KernelTree, commit: string): Promise<string[]> {
  // kfunc sets, descriptors, registrations and definitions live in .c files (headers only
  // define the macros); fixed strings keep git grep at ~1 s on a 70k-file tree
  const patterns = KFUNC_CANDIDATE_PATTERN.split('|').flatMap((p) => ['-e', p]);
  const grep = await runGit(['grep', '-l', '-I', '-F', ...patterns, commit, '--', '*.c', ...SKIP_PATHSPECS], { cwd: tree.gitDir, env: tree.env });
  const found = new Set<string>();
  const prefix = `${commit}:`;
  for (const line of grep.stdout.toString('utf8').split('\n')) if (line.startsWith(prefix)) found.add(line.slice(prefix.length));
  const ls = await runGit(['ls-tree', '-r', '--name-only', commit, '--', ...FIXED_FILES, 'tools/testing/selftests/bpf'], { cwd: tree.gitDir, env: tree.env });
  for (const p of ls.stdout.toString('utf8').split('\n')) if (p && ((FIXED_FILES as readonly string[]).includes(p) || isSelftestPath(p))) found.add(p);
  return [...found].sort();
}

/** The tree at `commit` as TreeFiles (candidates found with git grep, blobs read with cat-file; nothing checked out). */
export async function readTreeFiles(tree: KernelTree, commit: string): Promise<TreeFiles> {
  const paths = await listCandidates(tree, commit);
  const blobs = await readBlobs(tree, commit, paths);
  const m = new Map<string, string>();
  for (const [p, t] of blobs) if (t !== null) m.set(p, t);
  // headers that define X-macro lists used inside kfunc sets (XDP_METADATA_KFUNC_xxx)
  const lists = new Set<string>();
  for (const t of m.values()) {
    for (const x of t.matchAll(/^[ \t]*#[ \t]*define[ \t]+\w+\([^)]*\)[ \t]+BTF_ID_FLAGS[^\n]*\n[ \t]*(\w+)[ \t]*$/gm)) lists.add(x[1] as string);
  }
  if (lists.size > 0) {
    const grep = await runGit(['grep', '-l', '-F', ...[...lists].flatMap((l) => ['-e', `#define ${l}`]), commit, '--', '*.h', ...SKIP_PATHSPECS], { cwd: tree.gitDir, env: tree.env });
    const prefix = `${commit}:`;
    const headers = grep.stdout.toString('utf8').split('\n').filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length)).filter((p) => !m.has(p));
    for (const [p, t] of await readBlobs(tree, commit, headers)) if (t !== null) m.set(p, t);
  }
  return mapTreeFiles(m);
}

/** Files that differ between two commits, with their text at `to` (null = deleted). */
export async function changedFiles(tree: KernelTree, from: string, to: string): Promise<Map<string, string | null>> {
  const r = await gitOk(tree, ['diff-tree', '-r', '--no-renames', '--name-status', from, to]);
  const paths: string[] = [];
  const deleted = new Set<string>();
  for (const line of r.split('\n')) {
    const m = /^([A-Z])\d*\t(.+)$/.exec(line);
    if (!m) continue;
    paths.push(m[2] as string);
    if (m[1] === 'D') deleted.add(m[2] as string);
  }
  const blobs = await readBlobs(tree, to, paths.filter((p) => !deleted.has(p)));
  const out = new Map<string, string | null>();
  for (const p of paths) out.set(p, deleted.has(p) ? null : (blobs.get(p) ?? null));
  return out;
}
