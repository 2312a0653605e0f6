/** Building the series in a temp dir: the repository to clone, the 13 commits, format-patch. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { GIT_ENV, SOB, SPARSE_DIRS, git } from './git.js';
import { seriesSpec } from './series-spec.js';

export interface BuiltSeries {
  mbox: string;
  patchFiles: string[];
  base: string;
  linesPerPatch: number[];
}

/** Clone the tree cheaply, make the 13 commits, format them. */
export function buildSeries(gitDir: string, work: string): BuiltSeries {
  const clone = join(work, 'clone');
  git(['clone', '-q', '--shared', '--no-checkout', gitDir, clone], work);
  git(['sparse-checkout', 'set', '--cone', '--sparse-index', ...SPARSE_DIRS], clone);
  git(['checkout', '-q', 'HEAD'], clone);
  const base = git(['rev-parse', 'HEAD'], clone).trim();
  const read = (p: string): string | null => {
    const f = join(clone, p);
    return existsSync(f) ? readFileSync(f, 'utf8') : null;
  };
  const spec = seriesSpec(read);
  if (spec.length !== 13) throw new Error(`the series has ${spec.length} patches, not 13`);
  for (const p of spec) {
    for (const [path, edit] of p.edits) {
      const f = join(clone, path);
      mkdirSync(dirname(f), { recursive: true });
      const old = read(path);
      const next = edit(old);
      if (next === old) throw new Error(`${p.subject}: the edit of ${path} changed nothing`);
      writeFileSync(f, next);
      git(['add', '--sparse', '--', path], clone);
    }
    git(['commit', '-q', '-F', '-'], clone, `${p.subject}\n\n${p.body}\n\n${SOB}\n`);
  }
  const out = join(work, 'patches');
  git(['format-patch', '-q', '--cover-letter', '--thread', `--base=${base}`, '--subject-prefix=PATCH bpf-next', '-o', out, '-13'], clone);
  const files = readdirSync(out).filter((f) => f.endsWith('.patch')).sort();
  const cover = join(out, files[0] as string);
  writeFileSync(cover, readFileSync(cover, 'utf8')
    .replace('*** SUBJECT HERE ***', 'bpf: Owner references for graph nodes')
    .replace('*** BLURB HERE ***', `This series adds KF_NODE_OWNER, a kfunc flag for graph kfuncs that return a
node still in its collection, and a pair of kfuncs to take and drop an owner
reference on such a node. The verifier tracks the reference in bpf_reg_state
and rejects KF_NODE_OWNER calls outside the graph lock. UAPI, libbpf and
selftests follow.`));
  const patchFiles = files.slice(1).map((f) => join(out, f));
  const mbox = join(work, 'series.mbox');
  writeFileSync(mbox, files.map((f) => readFileSync(join(out, f), 'utf8')).join('\n'));
  const stat = git(['log', '--reverse', '--format=%x00', '--numstat', `${base}..HEAD`], clone);
  const linesPerPatch = stat.split('\0').slice(1).map((chunk) => chunk.split('\n').reduce((n, l) => {
    const m = /^(\d+)\t(\d+)\t/.exec(l);
    return m ? n + Number(m[1]) + Number(m[2]) : n;
  }, 0));
  return { mbox, patchFiles, base, linesPerPatch };
}

/**
 * The repository to review against and clone: the directory itself when it is a bare repository
 * or the top of a work tree; otherwise (a plain directory such as the shipped example tree, even
 * inside another repository) a temporary repository made of its files.
 */
export function repoOf(treeDir: string, work: string): string {
  const probe = (args: string[]): string | null => {
    const r = spawnSync('git', ['rev-parse', ...args], { cwd: treeDir, env: GIT_ENV, encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : null;
  };
  if (probe(['--is-bare-repository']) === 'true' && resolve(probe(['--absolute-git-dir']) ?? '') === treeDir) return treeDir;
  if (resolve(probe(['--show-toplevel']) ?? '/nonexistent') === treeDir) return treeDir;
  const repo = join(work, 'tree-repo');
  git(['init', '-q', repo], work);
  git(['--work-tree', treeDir, 'add', '-A', '-f', '.'], repo);
  git(['commit', '-q', '-m', 'import of the example tree'], repo);
  return repo;
}
