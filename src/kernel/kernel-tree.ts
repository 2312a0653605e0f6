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
import { createHash } from 'node:crypto';
import { mkdtemp, rm, mkdir } from 'node:fs/promises';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
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
      return opened({ dir: abs, gitDir, head, imported: false, tmpDir, env, close });
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
  /** The paths this patch changed (sorted; `deleted` when it removed the file), when known without asking git. */
  changed?: { path: string; deleted: boolean }[];
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

/** A tree entry: mode as git writes it in tree objects ('100644', '40000', ...) and object id. */
interface TreeEntry {
  mode: string;
  sha: string;
}

function parseTreeObject(data: Buffer): Map<string, TreeEntry> {
  const out = new Map<string, TreeEntry>();
  let pos = 0;
  while (pos < data.length) {
    const sp = data.indexOf(32, pos);
    const nul = data.indexOf(0, sp);
    if (sp < 0 || nul < 0 || nul + 21 > data.length) throw new Error('malformed tree object');
    const name = data.toString('utf8', sp + 1, nul);
    if (Buffer.byteLength(name) !== nul - sp - 1) throw new Error('a tree entry name is not UTF-8');
    out.set(name, { mode: data.toString('latin1', pos, sp), sha: data.toString('hex', nul + 1, nul + 21) });
    pos = nul + 21;
  }
  return out;
}

/** A tree object in git's order (names compared bytewise, a directory as if its name ended in '/'). */
function treeObject(entries: Map<string, TreeEntry>): Buffer {
  const rows = [...entries].map(([name, e]) => ({ key: e.mode === '40000' ? `${name}/` : name, name, e }));
  // plain string order is byte order for ASCII names (a kernel's); UTF-8 bytes otherwise
  const ascii = rows.every((r) => /^[\x00-\x7f]*$/.test(r.key));
  if (ascii) rows.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  else rows.sort((x, y) => Buffer.compare(Buffer.from(x.key, 'utf8'), Buffer.from(y.key, 'utf8')));
  const out = Buffer.allocUnsafe(rows.reduce((n, r) => n + r.e.mode.length + 1 + Buffer.byteLength(r.name) + 1 + 20, 0));
  let pos = 0;
  for (const r of rows) {
    pos += out.write(`${r.e.mode} ${r.name}\0`, pos, 'utf8');
    pos += out.write(r.e.sha, pos, 'hex');
  }
  return out;
}

/** Write a loose object into the tree's own (temporary) object directory; returns its id. */
function writeLooseObject(tree: KernelTree, type: string, content: Buffer): string {
  const whole = Buffer.concat([Buffer.from(`${type} ${content.length}\0`, 'latin1'), content]);
  const sha = createHash('sha1').update(whole).digest('hex');
  const dir = join(tree.env.GIT_OBJECT_DIRECTORY ?? join(tree.gitDir, 'objects'), sha.slice(0, 2));
  const file = join(dir, sha.slice(2));
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, deflateSync(whole, { level: 1 })); // temporary objects: speed over size
    renameSync(tmp, file);
  }
  return sha;
}

/**
 * The commit `git commit-tree TREE -p PARENT -m MESSAGE` makes with the tree's fixed identity,
 * written here (a spawn a patch spared); null when the identity is not in git's raw form.
 */
function writeCommitObject(tree: KernelTree, treeSha: string, parent: string, message: string): string | null {
  const e = tree.env;
  const ident = (who: 'AUTHOR' | 'COMMITTER'): string | null => {
    const name = e[`GIT_${who}_NAME`];
    const email = e[`GIT_${who}_EMAIL`];
    const date = e[`GIT_${who}_DATE`];
    if (!name || !email || !date || !/^\d+ [+-]\d{4}$/.test(date) || /[<>\n]/.test(name + email)) return null;
    return `${name} <${email}> ${date}`;
  };
  const author = ident('AUTHOR');
  const committer = ident('COMMITTER');
  if (!author || !committer) return null;
  const body = `tree ${treeSha}\nparent ${parent}\nauthor ${author}\ncommitter ${committer}\n\n${message.endsWith('\n') ? message : `${message}\n`}`;
  return writeLooseObject(tree, 'commit', Buffer.from(body, 'utf8'));
}

/**
 * The stage-0 entries of a version 2 or 3 index file (the small index applyOnSmallIndex keeps:
 * reading it here spares a `git ls-files` a patch); null for anything else (version 4, a
 * configuration that makes git write it), and the caller asks git.
 */
function readSmallIndex(file: string): Map<string, TreeEntry> | null {
  let b: Buffer;
  try {
    b = readFileSync(file);
  } catch {
    return null;
  }
  if (b.length < 12 || b.toString('latin1', 0, 4) !== 'DIRC') return null;
  const version = b.readUInt32BE(4);
  if (version !== 2 && version !== 3) return null;
  const count = b.readUInt32BE(8);
  const out = new Map<string, TreeEntry>();
  let pos = 12;
  for (let i = 0; i < count; i++) {
    if (pos + 62 > b.length) return null;
    const mode = b.readUInt32BE(pos + 24);
    const sha = b.toString('hex', pos + 40, pos + 60);
    const flags = b.readUInt16BE(pos + 60);
    const extended = (flags & 0x4000) !== 0;
    if (extended && version < 3) return null;
    const nameStart = pos + 62 + (extended ? 2 : 0);
    const nul = b.indexOf(0, nameStart);
    if (nul < 0) return null;
    const path = b.toString('utf8', nameStart, nul);
    if ((flags >> 12 & 3) === 0) out.set(path, { mode: mode.toString(8), sha });
    pos += Math.floor((nul - pos + 8) / 8) * 8; // entries are NUL-padded to a multiple of 8
  }
  return out;
}

/**
 * The fast way to apply a series: `git apply --cached` on an index holding only the paths the
 * series touches (a kernel's full index is 8 MB, read and written by every apply and write-tree:
 * ~130 ms a patch), the trees of each state built here from the base's trees and written as
 * loose objects in the temporary object directory, then `git commit-tree`. Null when this way
 * cannot be taken (a SHA-256 repository, a tree not opened by openKernelTree, paths it cannot
 * read from the diff headers) or a patch does not apply: the caller then applies the series on
 * a full index, which also words the failure.
 */
async function applyOnSmallIndex(tree: KernelTree, patches: SeriesPatch[], base: string): Promise<PatchApplyResult[] | null> {
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
  const fast = await applyOnSmallIndex(tree, patches, base).catch(() => null);
  if (fast) {
    return { base, baseSource, baseNote, mode: 'tree', reason: null, patches: fast, final: fast.length ? (fast[fast.length - 1]?.commit ?? null) : base };
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

/**
 * One long-lived `git cat-file --batch` per opened tree: a review reads blobs some 50 times
 * (changed files, the files around each patch, the graph selftests at each state), and a spawn
 * of git from a Node process of a few hundred MB costs more than the read itself. Requests are
 * answered in the order they are written, so concurrent readers queue on one stream. New
 * objects (the temporary commits of applySeries) are seen: git looks loose objects up on
 * every read.
 */
interface GitObject {
  type: string;
  data: Buffer;
}

interface BlobReader {
  read(specs: string[]): Promise<(GitObject | null)[]>;
  close(): Promise<void>;
}

/** Trees made by openKernelTree: their close() ends the reader, so only they get one. */
const ownedTrees = new WeakSet<KernelTree>();
const blobReaders = new WeakMap<KernelTree, BlobReader>();

function startBlobReader(tree: KernelTree): BlobReader {
  const child = spawn('git', ['cat-file', '--batch'], { cwd: tree.gitDir, env: tree.env, stdio: ['pipe', 'pipe', 'ignore'] });
  interface Pending { left: number; out: (GitObject | null)[]; resolve: (v: (GitObject | null)[]) => void; reject: (e: Error) => void }
  const queue: Pending[] = [];
  let buf: Buffer = Buffer.alloc(0);
  let failed: Error | null = null;
  const fail = (e: Error): void => {
    failed ??= e;
    for (const p of queue.splice(0)) p.reject(failed);
  };
  child.on('error', fail);
  child.on('close', () => fail(new Error('git cat-file --batch ended')));
  child.stdin.on('error', fail);
  // chunks not joined yet, and how many bytes the object at the front needs (0: unknown)
  let parts: Buffer[] = [];
  let partsLength = 0;
  let need = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    parts.push(chunk);
    partsLength += chunk.length;
    if (need > 0 && buf.length + partsLength < need) return; // a big blob still arriving: join once at the end
    buf = Buffer.concat([buf, ...parts]);
    parts = [];
    partsLength = 0;
    need = 0;
    let pos = 0;
    while (queue.length > 0) {
      const nl = buf.indexOf(10, pos);
      if (nl < 0) break;
      const header = buf.subarray(pos, nl).toString('utf8');
      const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
      let value: GitObject | null = null;
      if (m) {
        const size = Number(m[2]);
        if (buf.length < nl + 1 + size + 1) {
          need = nl + 1 + size + 1 - pos; // the rest of this object is still coming
          break;
        }
        value = { type: m[1] as string, data: Buffer.from(buf.subarray(nl + 1, nl + 1 + size)) };
        pos = nl + 1 + size + 1;
      } else {
        pos = nl + 1; // "<name> missing" / "<name> ambiguous"
      }
      const p = queue[0] as Pending;
      p.out.push(value);
      if (--p.left === 0) {
        queue.shift();
        p.resolve(p.out);
      }
    }
    buf = pos >= buf.length ? Buffer.alloc(0) : buf.subarray(pos);
  });
  return {
    read(specs) {
      if (specs.length === 0) return Promise.resolve([]);
      if (failed) return Promise.reject(failed);
      return new Promise((resolvePromise, reject) => {
        queue.push({ left: specs.length, out: [], resolve: resolvePromise, reject });
        child.stdin.write(specs.join('\n') + '\n');
      });
    },
    close() {
      return new Promise((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('close', () => done());
        child.stdin.end();
      });
    },
  };
}

async function closeBlobReader(tree: KernelTree): Promise<void> {
  const r = blobReaders.get(tree);
  blobReaders.delete(tree);
  await r?.close();
}

/** Read many blobs (`<commit>:<path>`) with `git cat-file --batch`; missing ones map to null. */
export async function readBlobs(tree: KernelTree, commit: string, paths: string[]): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  if (paths.length === 0) return out;
  const specs = paths.map((p) => `${commit}:${p}`);
  if (ownedTrees.has(tree) && !specs.some((s) => s.includes('\n'))) {
    let reader = blobReaders.get(tree);
    if (!reader) {
      reader = startBlobReader(tree);
      blobReaders.set(tree, reader);
    }
    try {
      const blobs = await reader.read(specs);
      paths.forEach((p, i) => {
        const o = blobs[i];
        out.set(p, o && o.type === 'blob' ? o.data.toString('utf8') : null);
      });
      return out;
    } catch {
      blobReaders.delete(tree); // the reader died: read with a one-off process below
      out.clear();
    }
  }
  const input = specs.join('\n') + '\n';
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

/** The text at `commit` of paths a patch changed (null = deleted), as changedFiles gives it. */
export async function readChanged(tree: KernelTree, commit: string, changed: { path: string; deleted: boolean }[]): Promise<Map<string, string | null>> {
  const blobs = await readBlobs(tree, commit, changed.filter((c) => !c.deleted).map((c) => c.path));
  return new Map(changed.map((c) => [c.path, c.deleted ? null : (blobs.get(c.path) ?? null)]));
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
