/**
 * A large mboxrd built from the corpus like generate-bench-mbox.ts, but each pass over the
 * corpus is a copy of its threads with its own ids: Message-ID, In-Reply-To and References
 * all get the pass number, so copy k of a series threads with copy k of its cover, as a
 * real archive of many distinct series would. (generate-bench-mbox.ts gives every message a
 * fresh id but keeps the old In-Reply-To/References, so all copies of a series answer the
 * same absent cover: a worst case for series assembly, not a realistic archive.)
 */
import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { benchDataDir, corpusMessages } from './generate-bench-mbox.js';

const ID_HEADER_RE = /^(Message-I[dD]|In-Reply-To|References):([^\n]*(?:\r?\n[ \t][^\n]*)*)/gm;

/** Message `msg` as it appears in pass `pass`: every id in its id headers suffixed, mboxrd-escaped, with a From_ line. */
export function threadedBenchEntry(msg: Buffer, pass: number): Buffer {
  let s = msg.toString('latin1');
  s = s.replace(ID_HEADER_RE, (_all, name: string, value: string) => `${name}:${value.replace(/<([^<>\s]+)>/g, (_m, id: string) => `<p${pass}.${id}>`)}`);
  s = s.replace(/^(>*From )/gm, '>$1');
  if (!s.endsWith('\n')) s += '\n';
  return Buffer.from(`From mboxrd@z Thu Jan  1 00:00:00 1970\n${s}\n`, 'latin1');
}

export async function generateThreadedBenchMbox(path: string, count: number): Promise<number> {
  mkdirSync(dirname(path), { recursive: true });
  const sources = corpusMessages();
  const tmp = `${path}.partial`;
  const out = createWriteStream(tmp, { highWaterMark: 1 << 20 });
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const entry = threadedBenchEntry(sources[i % sources.length] as Buffer, Math.floor(i / sources.length));
    bytes += entry.length;
    if (!out.write(entry)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res())));
  renameSync(tmp, path);
  return bytes;
}

export async function ensureThreadedBenchMbox(count: number): Promise<string> {
  const path = join(benchDataDir(), `bench-threaded-${count}.mbox`);
  if (!existsSync(path)) await generateThreadedBenchMbox(path, count);
  return path;
}
