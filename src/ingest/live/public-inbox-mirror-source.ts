import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RawMessage } from '../../model/message.js';
import { ConnectionLostError } from '../../model/errors.js';
import { findEpochs, readPublicInboxV2 } from '../sources/read-public-inbox-v2.js';
import { LiveSourceConfigError } from './errors.js';
import { BaseLiveSource, type LiveSourceCommon, type SessionContext } from './live-source.js';

export interface PublicInboxMirrorSourceOptions extends LiveSourceCommon {
  /** The mirror: a public-inbox v2 folder whose git/N.git are mirror clones of the upstream epochs. */
  mirrorDir: string;
  /** The git remote to fetch in each epoch. Default origin. */
  remote?: string;
  /** Pause between two fetches (ms). Default 60000. */
  pollIntervalMs?: number;
  /** Messages per onMessages call. Default 100. */
  batchSize?: number;
  /** The git executable. Default git. */
  git?: string;
  /** Timeout of one git fetch (ms). Default 300000. */
  fetchTimeoutMs?: number;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(git: string, args: string[], timeoutMs = 300_000): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(git, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new LiveSourceConfigError(`cannot run ${git} (${e.message}); install git`, git));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8').trim() });
    });
  });
}

/** The path of a local remote URL (a path or file://), or null for a network URL. */
function localPath(url: string): string | null {
  if (url.startsWith('file://')) return fileURLToPath(url);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[^/]+:/.test(url)) return null;
  return url;
}

/**
 * Make a mirror of a public-inbox v2 inbox: `git clone --mirror` of each epoch `upstream/git/N.git`
 * into `mirrorDir/git/N.git` (remote "origin"). `upstream` is a local folder (or file:// URL) of an
 * inbox; for lore over https use public-inbox-clone or grokmirror, then point the source at it.
 */
export async function clonePublicInboxMirror(upstream: string, mirrorDir: string, git = 'git'): Promise<void> {
  const up = localPath(upstream) ?? upstream;
  const epochs = await findEpochs(up);
  await mkdir(join(mirrorDir, 'git'), { recursive: true });
  for (const ep of epochs) {
    const dest = join(mirrorDir, 'git', `${ep.n}.git`);
    if (existsSync(dest)) continue;
    const r = await run(git, ['clone', '--mirror', '--quiet', resolve(ep.gitDir), dest]);
    if (r.code !== 0) throw new ConnectionLostError(`git clone --mirror ${ep.gitDir}: ${r.stderr || `exit ${r.code}`}`, ep.gitDir);
  }
}

/**
 * A public-inbox git mirror kept up to date: every `pollIntervalMs`, `git fetch` each epoch from its
 * remote (and clone a new epoch that appeared upstream, when the upstream is a local folder), then
 * read the commits after the cursor with readPublicInboxV2. The cursor is readPublicInboxV2's
 * "<epoch>:<commit>". A failed fetch (network) is retried with backoff; a missing remote or a
 * cursor the history no longer contains (CursorNotFoundError: upstream purged and rewrote) stops the
 * source with a named error.
 */
export class PublicInboxMirrorSource extends BaseLiveSource {
  readonly name: string;
  private readonly opts: PublicInboxMirrorSourceOptions;
  /** Completed fetch rounds, for tests and metrics. */
  fetches = 0;

  constructor(opts: PublicInboxMirrorSourceOptions) {
    super(opts);
    this.opts = opts;
    this.name = `pi-mirror:${opts.mirrorDir}`;
  }

  private get git(): string {
    return this.opts.git ?? 'git';
  }

  private get remote(): string {
    return this.opts.remote ?? 'origin';
  }

  protected override async validate(): Promise<void> {
    const epochs = await findEpochs(this.opts.mirrorDir).catch((err: Error) => {
      throw new LiveSourceConfigError(err.message, this.opts.mirrorDir);
    });
    for (const ep of epochs) {
      const r = await run(this.git, [`--git-dir=${ep.gitDir}`, 'config', '--get', `remote.${this.remote}.url`]);
      if (r.code !== 0 || !r.stdout.trim()) {
        throw new LiveSourceConfigError(`${ep.gitDir}: no git remote "${this.remote}" to fetch from; make the mirror with clonePublicInboxMirror (git clone --mirror) or set remote`, ep.gitDir);
      }
    }
  }

  /** git fetch every epoch, and clone epochs that are new upstream. */
  async fetchAll(): Promise<void> {
    const epochs = await findEpochs(this.opts.mirrorDir);
    let newestUrl: string | null = null;
    for (const ep of epochs) {
      const url = await run(this.git, [`--git-dir=${ep.gitDir}`, 'config', '--get', `remote.${this.remote}.url`]);
      if (url.code !== 0) throw new LiveSourceConfigError(`${ep.gitDir}: no git remote "${this.remote}"`, ep.gitDir);
      newestUrl = url.stdout.trim();
      const r = await run(this.git, [`--git-dir=${ep.gitDir}`, 'fetch', '--quiet', '--prune', this.remote], this.opts.fetchTimeoutMs);
      if (r.code !== 0) throw new ConnectionLostError(`${ep.gitDir}: git fetch ${this.remote} failed: ${r.stderr || `exit ${r.code}`}`, ep.gitDir);
    }
    // A new epoch upstream (N+1.git beside the newest one we have)?
    const last = epochs[epochs.length - 1];
    const lp = newestUrl ? localPath(newestUrl) : null;
    if (last && lp) {
      for (let n = last.n + 1; ; n++) {
        const up = join(dirname(lp), `${n}.git`);
        if (!existsSync(join(up, 'objects'))) break;
        const dest = join(this.opts.mirrorDir, 'git', `${n}.git`);
        const r = await run(this.git, ['clone', '--mirror', '--quiet', up, dest]);
        if (r.code !== 0) throw new ConnectionLostError(`git clone --mirror ${up}: ${r.stderr || `exit ${r.code}`}`, up);
      }
    }
    this.fetches += 1;
  }

  protected async session(ctx: SessionContext): Promise<void> {
    let first = true;
    while (!ctx.signal.aborted) {
      await this.fetchAll();
      if (first) ctx.log('connected', `fetching ${this.opts.mirrorDir} every ${this.opts.pollIntervalMs ?? 60_000} ms`);
      first = false;
      await this.readNew(ctx);
      ctx.ok();
      await ctx.clock.sleep(this.opts.pollIntervalMs ?? 60_000, ctx.signal);
    }
  }

  private async readNew(ctx: SessionContext): Promise<void> {
    const reader = readPublicInboxV2(this.opts.mirrorDir, { since: ctx.cursor(), git: this.git });
    const size = this.opts.batchSize ?? 100;
    let batch: RawMessage[] = [];
    for await (const m of reader.messages) {
      batch.push(m);
      if (batch.length >= size) {
        await ctx.deliver(batch, reader.cursor()!);
        batch = [];
      }
      if (ctx.signal.aborted) return;
    }
    const c = reader.cursor();
    // the last commits may be deletions (no message): the cursor still moves past them
    if (c !== null && (batch.length > 0 || c !== ctx.cursor())) await ctx.deliver(batch, c);
  }
}
