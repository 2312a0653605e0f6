import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { RawMessage } from '../../model/message.js';
import { SourceUnreadableError } from '../../model/errors.js';
import { CursorNotFoundError, SOURCE_HINT } from './errors.js';

export interface PublicInboxOptions {
  /** A cursor from an earlier run's `cursor()`: read only what came after it. */
  since?: string | null;
  /** The git executable (default `git`). */
  git?: string;
}

export interface PublicInboxReader {
  messages: AsyncGenerator<RawMessage>;
  /**
   * Where a later run should continue: `"<epoch>:<commit>"` of the last commit whose message was
   * handed out (or that was skipped), or the `since` given when nothing was read. null for a fresh
   * read of an empty inbox.
   */
  cursor(): string | null;
  /** Commits without an `m` blob (deletions write `d`), skipped so far. */
  skipped(): number;
}

export interface Epoch {
  n: number;
  gitDir: string;
}

const CURSOR_RE = /^(\d+):([0-9a-f]{40}|[0-9a-f]{64})$/;

/** Parse a cursor `"<epoch>:<commit>"`; null when it is not one. */
export function parseCursor(c: string): { epoch: number; commit: string } | null {
  const m = CURSOR_RE.exec(c);
  return m ? { epoch: Number(m[1]), commit: m[2]! } : null;
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** Whether a folder looks like a (bare) git repository. */
export async function isGitDir(p: string): Promise<boolean> {
  return (await isDir(join(p, 'objects'))) && (await isDir(join(p, 'refs')));
}

/**
 * The epochs of a public-inbox v2 archive (`git/0.git`, `git/1.git`, ... in number order), or the
 * single epoch when `dir` is itself an epoch's git dir (`N.git` gives epoch N, another name 0).
 */
export async function findEpochs(dir: string): Promise<Epoch[]> {
  const gitSub = join(dir, 'git');
  if (await isDir(gitSub)) {
    const names = await readdir(gitSub);
    const epochs: Epoch[] = [];
    for (const name of names) {
      const m = /^(\d+)\.git$/.exec(name);
      if (m && (await isGitDir(join(gitSub, name)))) epochs.push({ n: Number(m[1]), gitDir: join(gitSub, name) });
    }
    if (epochs.length === 0) {
      throw new SourceUnreadableError(`${dir}: public-inbox archive without epochs (no git/N.git repository in ${gitSub}); clone the inbox again or give its folder`, dir);
    }
    return epochs.sort((a, b) => a.n - b.n);
  }
  if (await isGitDir(dir)) {
    const m = /^(\d+)\.git$/.exec(basename(dir));
    return [{ n: m ? Number(m[1]) : 0, gitDir: dir }];
  }
  throw new SourceUnreadableError(`${dir}: not a public-inbox v2 archive (no git/0.git) nor a git repository; ${SOURCE_HINT}`, dir);
}

interface GitResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function gitSpawn(git: string, gitDir: string, args: string[]): ChildProcess {
  return spawn(git, [`--git-dir=${gitDir}`, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
}

function gitMissing(git: string, err: unknown): SourceUnreadableError {
  return new SourceUnreadableError(`cannot run ${git} (${(err as Error).message}); install git to read public-inbox archives`, git);
}

/** Run a short git command and collect its output. */
function gitRun(git: string, gitDir: string, args: string[]): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = gitSpawn(git, gitDir, args);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => reject(gitMissing(git, e)));
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin!.end();
  });
}

/** Lines of a byte stream (without their `\n`). Follows the stream's back-pressure. */
async function* lines(stream: Readable): AsyncGenerator<string> {
  let rest = '';
  for await (const c of stream) {
    const s = rest + (c as Buffer).toString('latin1');
    const parts = s.split('\n');
    rest = parts.pop()!;
    yield* parts;
  }
  if (rest) yield rest;
}

/** One object of `git cat-file --batch` output: its header line and, when found, its bytes. */
interface BatchObject {
  header: string;
  type: string | null;
  body: Buffer | null;
}

/** Parse `git cat-file --batch` output: `<oid> <type> <size>\n<bytes>\n` or `<name> missing\n`. */
export async function* parseCatFileBatch(stream: AsyncIterable<Buffer>): AsyncGenerator<BatchObject> {
  let buf: Buffer = Buffer.alloc(0);
  let want = -1; // bytes of body (+1 newline) still expected for the current object; -1: a header
  let header = '';
  let type = '';
  let body: Buffer[] = [];
  let got = 0;
  for await (const chunk of stream) {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    let i = 0;
    while (i < buf.length) {
      if (want < 0) {
        const nl = buf.indexOf(0x0a, i);
        if (nl === -1) break;
        header = buf.toString('utf8', i, nl);
        i = nl + 1;
        const parts = header.split(' ');
        if (parts.length === 3 && /^\d+$/.test(parts[2]!)) {
          type = parts[1]!;
          want = Number(parts[2]) + 1;
          body = [];
          got = 0;
        } else {
          yield { header, type: null, body: null }; // "<name> missing" / "ambiguous"
        }
      } else {
        const take = Math.min(want - got, buf.length - i);
        body.push(buf.subarray(i, i + take));
        got += take;
        i += take;
        if (got === want) {
          const all = Buffer.concat(body);
          want = -1;
          body = [];
          yield { header, type, body: all.subarray(0, all.length - 1) };
        }
      }
    }
    buf = i < buf.length ? buf.subarray(i) : Buffer.alloc(0);
    // The pieces of a body held in `body` reference chunks; copy so a large chunk is not pinned.
    if (body.length > 16) body = [Buffer.concat(body)];
  }
  if (want >= 0 || buf.length > 0) throw new Error('git cat-file --batch output ended in the middle of an object');
}

/**
 * Read a public-inbox v2 archive with git itself: every epoch's commits in order (`git rev-list
 * --reverse`), each commit's blob `m` through one long-lived `git cat-file --batch` per epoch.
 * Commits without `m` (deletions write `d`) are skipped and counted. With `since` (a cursor from
 * an earlier run), only commits after it are read; a cursor that names no commit of this archive
 * (history rewritten by a purge, another inbox's cursor) is a CursorNotFoundError.
 * `source` is `pi:<inboxDir>@<commit>`.
 */
export function readPublicInboxV2(inboxDir: string, opts: PublicInboxOptions = {}): PublicInboxReader {
  const git = opts.git ?? 'git';
  const since = opts.since ?? null;
  let cursor: string | null = since;
  let skipped = 0;

  async function* run(): AsyncGenerator<RawMessage> {
    const epochs = await findEpochs(inboxDir);
    let start: { epoch: number; commit: string } | null = null;
    if (since !== null) {
      start = parseCursor(since);
      if (!start) {
        throw new CursorNotFoundError(`${inboxDir}: cursor "${since}" is not of the form <epoch>:<commit sha>; give a cursor printed by an earlier run, or none to read from the start`, inboxDir, since);
      }
      const ep = epochs.find((e) => e.n === start!.epoch);
      if (!ep) {
        throw new CursorNotFoundError(`${inboxDir}: cursor "${since}" names epoch ${start.epoch}, which this archive does not have (epochs ${epochs.map((e) => e.n).join(', ')}); the cursor belongs to another inbox, or give none to read from the start`, inboxDir, since);
      }
      const t = await gitRun(git, ep.gitDir, ['cat-file', '-t', start.commit]);
      const anc = t.code === 0 && t.stdout.trim() === 'commit' ? await gitRun(git, ep.gitDir, ['merge-base', '--is-ancestor', start.commit, 'HEAD']) : null;
      if (!anc || anc.code !== 0) {
        throw new CursorNotFoundError(
          `${inboxDir}: cursor "${since}": commit ${start.commit} is ${anc ? 'no longer in the history' : 'not in'} of epoch ${start.epoch} (${ep.gitDir}); the history was rewritten (a purge) or the cursor belongs to another inbox. Read again without the cursor (messages already seen will come again) or give the right one`,
          inboxDir,
          since,
        );
      }
    }
    for (const ep of epochs) {
      if (start && ep.n < start.epoch) continue;
      const from = start && ep.n === start.epoch ? start.commit : null;
      yield* readEpoch(ep, from);
    }
  }

  async function* readEpoch(ep: Epoch, from: string | null): AsyncGenerator<RawMessage> {
    const head = await gitRun(git, ep.gitDir, ['rev-parse', '--verify', '-q', 'HEAD^{commit}']);
    if (head.code !== 0) return; // an epoch without commits yet
    const tip = head.stdout.trim();
    const revList = gitSpawn(git, ep.gitDir, ['rev-list', '--reverse', from ? `${from}..${tip}` : tip]);
    const cat = gitSpawn(git, ep.gitDir, ['cat-file', '--batch']);
    const revErr: Buffer[] = [];
    const catErr: Buffer[] = [];
    revList.stderr!.on('data', (c: Buffer) => revErr.push(c));
    cat.stderr!.on('data', (c: Buffer) => catErr.push(c));
    let spawnError: unknown = null;
    revList.on('error', (e) => (spawnError = e));
    cat.on('error', (e) => (spawnError = e));
    cat.stdin!.on('error', () => undefined); // EPIPE when cat-file dies: reported by its exit below
    const revExit = new Promise<number | null>((r) => revList.on('close', (code) => r(code)));
    const catExit = new Promise<number | null>((r) => cat.on('close', (code) => r(code)));
    const queue: string[] = [];
    let qHead = 0;
    // Feed cat-file with "<commit>:m" as rev-list names commits, respecting back-pressure.
    const feeder = (async () => {
      try {
        for await (const line of lines(revList.stdout!)) {
          const c = line.trim();
          if (!c) continue;
          queue.push(c);
          if (!cat.stdin!.write(`${c}:m\n`)) {
            await new Promise<void>((r) => {
              const done = (): void => {
                cat.stdin!.off('drain', done);
                cat.stdin!.off('close', done);
                r();
              };
              cat.stdin!.on('drain', done);
              cat.stdin!.on('close', done);
            });
          }
        }
      } finally {
        cat.stdin!.end();
      }
    })();
    feeder.catch(() => undefined);
    try {
      for await (const obj of parseCatFileBatch(cat.stdout! as AsyncIterable<Buffer>)) {
        const commit = queue[qHead++];
        if (commit === undefined) throw new SourceUnreadableError(`${ep.gitDir}: git cat-file answered more than it was asked`, ep.gitDir);
        if (qHead > 4096) {
          queue.splice(0, qHead);
          qHead = 0;
        }
        cursor = `${ep.n}:${commit}`;
        if (obj.body && obj.type === 'blob') {
          yield { source: `pi:${inboxDir}@${commit}`, bytes: obj.body };
        } else {
          skipped += 1;
        }
      }
      await feeder;
      const [rc, cc] = await Promise.all([revExit, catExit]);
      if (spawnError) throw gitMissing(git, spawnError);
      if (rc !== 0 || cc !== 0) {
        const why = Buffer.concat([...revErr, ...catErr]).toString('utf8').trim();
        throw new SourceUnreadableError(`${ep.gitDir}: git failed reading epoch ${ep.n} (${why || `exit ${rc}/${cc}`}); check the archive with git fsck, or fetch it again`, ep.gitDir);
      }
      if (qHead < queue.length) {
        throw new SourceUnreadableError(`${ep.gitDir}: git cat-file stopped before answering for commit ${queue[qHead]}; check the archive with git fsck`, ep.gitDir);
      }
    } catch (err) {
      if (err instanceof SourceUnreadableError) throw err;
      if (spawnError) throw gitMissing(git, spawnError);
      throw new SourceUnreadableError(`${ep.gitDir}: reading epoch ${ep.n} failed (${(err as Error).message}); check the archive with git fsck`, ep.gitDir);
    } finally {
      if (revList.exitCode === null && revList.signalCode === null) revList.kill();
      if (cat.exitCode === null && cat.signalCode === null) cat.kill();
    }
  }

  return { messages: run(), cursor: () => cursor, skipped: () => skipped };
}
