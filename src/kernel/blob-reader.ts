/**
 * One long-lived `git cat-file --batch` per opened tree: a review reads blobs some 50 times
 * (changed files, the files around each patch, the graph selftests at each state), and a spawn
 * of git from a Node process of a few hundred MB costs more than the read itself. Requests are
 * answered in the order they are written, so concurrent readers queue on one stream. New
 * objects (the temporary commits of applySeries) are seen: git looks loose objects up on
 * every read.
 */
import { spawn } from 'node:child_process';
import { runGit } from './run-git.js';
import type { KernelTree } from './open-kernel-tree.js';

export interface GitObject {
  type: string;
  data: Buffer;
}

export interface BlobReader {
  read(specs: string[]): Promise<(GitObject | null)[]>;
  close(): Promise<void>;
}

/** Trees made by openKernelTree: their close() ends the reader, so only they get one. */
export const ownedTrees = new WeakSet<KernelTree>();
export const blobReaders = new WeakMap<KernelTree, BlobReader>();

export function startBlobReader(tree: KernelTree): BlobReader {
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

export async function closeBlobReader(tree: KernelTree): Promise<void> {
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

