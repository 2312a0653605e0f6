/** Running git: one-off processes that never throw on a non-zero exit, and a checked variant. */
import { spawn } from 'node:child_process';
import { SourceUnreadableError } from '../model/errors.js';

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

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

/** Run git and return its stdout; a non-zero exit throws SourceUnreadableError. */
export async function gitOk(tree: { env: NodeJS.ProcessEnv; gitDir: string }, args: string[], input?: string | Buffer): Promise<string> {
  const r = await runGit(args, { env: tree.env, input, cwd: tree.gitDir });
  if (r.code !== 0) throw new SourceUnreadableError(`git ${args.join(' ')}: ${r.stderr.trim()}`, tree.gitDir);
  return r.stdout.toString('utf8');
}

