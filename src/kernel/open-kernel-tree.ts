/**
 * Opening a kernel tree read-only with git (a repository in place, or a plain directory imported).
 *
 * The user's checkout is never modified: every git command runs with a temporary index file
 * (GIT_INDEX_FILE) and a temporary object directory (GIT_OBJECT_DIRECTORY, the repository's own
 * objects as an alternate), so applied patches become commits that live only in a temp dir. No
 * ref, worktree, index entry or file of the user's repository is touched. A plain directory
 * (no git) is imported into a temporary repository first.
 */
import { mkdtemp, rm, mkdir } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { SourceUnreadableError } from '../model/errors.js';
import { gitOk, runGit } from './run-git.js';
import { closeBlobReader, ownedTrees } from './blob-reader.js';

export interface KernelTree {
  /** What the user gave. */
  dir: string;
  /** The repository's git dir (the temp repo's for an imported plain directory). */
  gitDir: string;
  /** The checkout's HEAD commit (for an imported directory, the import commit). */
  head: string;
  /** True when `dir` was a plain directory imported into a temporary repository. */
  imported: boolean;
  /**
   * The checkout's work tree (null for a bare repository or an imported directory), with the
   * environment to read it: only ever read, with GIT_OPTIONAL_LOCKS=0 so git writes nothing.
   */
  workTree?: { dir: string; env: NodeJS.ProcessEnv } | null;
  /** Temp dir holding the index and new objects; removed by close(). */
  tmpDir: string;
  /** Environment every git command runs with. */
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

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
  const holder: { tree?: KernelTree } = {};
  const close = async (): Promise<void> => {
    if (holder.tree) await closeBlobReader(holder.tree);
    await rm(tmpDir, { recursive: true, force: true });
  };
  const opened = (t: KernelTree): KernelTree => {
    holder.tree = t;
    ownedTrees.add(t);
    return t;
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
      const workTree = lines[1] === 'false' ? { dir: abs, env: { ...env0, GIT_OPTIONAL_LOCKS: '0' } } : null;
      return opened({ dir: abs, gitDir, head, imported: false, tmpDir, env, close, workTree });
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
    return opened({ dir: abs, gitDir, head, imported: true, tmpDir, env, close });
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

export async function resolveCommit(tree: KernelTree, rev: string): Promise<string> {
  return (await gitOk(tree, ['rev-parse', '--verify', `${rev}^{commit}`])).trim();
}
