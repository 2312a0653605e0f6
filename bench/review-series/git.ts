/** git for the benchmark: a fixed identity and clean environment, run synchronously. */
import { spawnSync } from 'node:child_process';

export const AUTHOR = { name: 'Ada Benchmark', email: 'ada.benchmark@example.org' };
export const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: AUTHOR.name, GIT_AUTHOR_EMAIL: AUTHOR.email, GIT_AUTHOR_DATE: '1760000000 +0000',
  GIT_COMMITTER_NAME: AUTHOR.name, GIT_COMMITTER_EMAIL: AUTHOR.email, GIT_COMMITTER_DATE: '1760000000 +0000',
  GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C',
};
for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES']) delete GIT_ENV[k];

/** The directories the series edits: the only ones checked out. */
export const SPARSE_DIRS = [
  'kernel/bpf', 'include/linux', 'include/uapi/linux', 'tools/include/uapi/linux',
  'tools/testing/selftests/bpf/progs', 'tools/testing/selftests/bpf/prog_tests', 'tools/lib/bpf',
];

export function git(args: string[], cwd: string, input?: string): string {
  const r = spawnSync('git', args, { cwd, env: GIT_ENV, input, maxBuffer: 1 << 30, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} (in ${cwd}): ${r.stderr}`);
  return r.stdout;
}

export const SOB = `Signed-off-by: ${AUTHOR.name} <${AUTHOR.email}>`;
