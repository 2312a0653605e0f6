/**
 * A large mboxrd built from the corpus like generate-bench-mbox.ts, but each pass over the
 * corpus is a copy of its threads with its own ids: Message-ID, In-Reply-To and References
 * all get the pass number, so copy k of a series threads with copy k of its cover, as a
 * real archive of many distinct series would. (generate-bench-mbox.ts gives every message a
 * fresh id but keeps the old In-Reply-To/References, so all copies of a series answer the
 * same absent cover: a worst case for series assembly, not a realistic archive.)
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { benchDataDir, corpusMessages, writeBenchMbox } from './generate-bench-mbox.js';
import { mboxrdEntry } from '../src/ingest/sources/mboxrd-entry.js';

const ID_HEADER_RE = /^(Message-I[dD]|In-Reply-To|References):([^\n]*(?:\r?\n[ \t][^\n]*)*)/gm;

/** Message `msg` as it appears in pass `pass`: every id in its id headers suffixed, mboxrd-escaped, with a From_ line. */
export function threadedBenchEntry(msg: Buffer, pass: number): Buffer {
  let s = msg.toString('latin1');
  s = s.replace(ID_HEADER_RE, (_all, name: string, value: string) => `${name}:${value.replace(/<([^<>\s]+)>/g, (_m, id: string) => `<p${pass}.${id}>`)}`);
  return mboxrdEntry(Buffer.from(s, 'latin1'));
}

export async function generateThreadedBenchMbox(path: string, count: number): Promise<number> {
  const sources = corpusMessages();
  return writeBenchMbox(path, count, (i) => threadedBenchEntry(sources[i % sources.length] as Buffer, Math.floor(i / sources.length)));
}

export async function ensureThreadedBenchMbox(count: number): Promise<string> {
  const path = join(benchDataDir(), `bench-threaded-${count}.mbox`);
  if (!existsSync(path)) await generateThreadedBenchMbox(path, count);
  return path;
}
