/**
 * Generate a large mboxrd file for benchmarks from the real list messages in ../shared/corpus
 * (each copy with a fresh Message-ID, so every message is distinct), or from a synthetic patch
 * mail when ../shared is absent. Reused by the end-to-end ingest benchmark.
 */
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mboxrdEntry } from '../src/ingest/sources/mboxrd-entry.js';

/** The project root: the nearest folder above this file with a package.json (works from bench/ and dist/bench/). */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('project root not found');
    dir = up;
  }
  return dir;
}

/** Where generated benchmark data lives (ignored by git). */
export function benchDataDir(): string {
  return join(projectRoot(), '.bench-data');
}

/** The corpus messages the generator copies: every .eml of ../shared/corpus/bpf-list-threads. */
export function corpusMessages(): Buffer[] {
  const shared = process.env.BPF_REVIEW_SHARED ?? resolve(projectRoot(), '..', 'shared');
  const threads = join(shared, 'corpus', 'bpf-list-threads');
  const out: Buffer[] = [];
  if (existsSync(threads)) {
    for (const d of readdirSync(threads).sort()) {
      const p = join(threads, d);
      if (!statSync(p).isDirectory()) continue;
      for (const f of readdirSync(p).sort()) if (f.endsWith('.eml')) out.push(readFileSync(join(p, f)));
    }
  }
  if (out.length === 0) {
    const diff = Array.from({ length: 60 }, (_, i) => `+\tline ${i} of a synthetic patch;`).join('\n');
    out.push(
      Buffer.from(
        `From: Bench <bench@example.com>\nTo: bpf@vger.kernel.org\nSubject: [PATCH bpf-next 1/1] bpf: synthetic\nMessage-ID: <x@example.com>\nDate: Mon, 17 Sep 2001 00:00:00 +0000\n\nFrom the body, a line mboxrd escapes.\n---\ndiff --git a/kernel/bpf/x.c b/kernel/bpf/x.c\n--- a/kernel/bpf/x.c\n+++ b/kernel/bpf/x.c\n@@ -1,0 +1,60 @@\n${diff}\n-- \n2.43.0\n`,
      ),
    );
  }
  return out;
}

const MID_RE = /^Message-I[dD]:[ \t]*(?:\r?\n[ \t]+)?<[^>\r\n]*>/m;

/** One message with its Message-ID replaced (or added) and written as mboxrd (From_ line, `>*From ` escaped, blank line). */
export function benchEntry(msg: Buffer, i: number): Buffer {
  let s = msg.toString('latin1');
  const id = `Message-ID: <bench-${i}@bpf-review.invalid>`;
  if (MID_RE.test(s)) s = s.replace(MID_RE, id);
  else s = `${id}\n${s}`;
  return mboxrdEntry(Buffer.from(s, 'latin1'));
}

/**
 * Write `count` messages as an mboxrd file at `path` (through a temporary name, so a half-written
 * file is never taken for a finished one). Returns the number of bytes written.
 */
export async function generateBenchMbox(path: string, count: number): Promise<number> {
  const sources = corpusMessages();
  return writeBenchMbox(path, count, (i) => benchEntry(sources[i % sources.length]!, i));
}

/** Write `count` mbox entries made by `entryOf(i)` to `path`, through a temporary name. Returns the bytes written. */
export async function writeBenchMbox(path: string, count: number, entryOf: (i: number) => Buffer): Promise<number> {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.partial`;
  const out = createWriteStream(tmp, { highWaterMark: 1 << 20 });
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const entry = entryOf(i);
    bytes += entry.length;
    if (!out.write(entry)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res())));
  renameSync(tmp, path);
  return bytes;
}

/** The benchmark mbox for `count` messages, generated on first use. */
export async function ensureBenchMbox(count: number): Promise<string> {
  const path = join(benchDataDir(), `bench-${count}.mbox`);
  if (!existsSync(path)) await generateBenchMbox(path, count);
  return path;
}
