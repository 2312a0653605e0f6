import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RawMessage } from '../../model/message.js';
import { ioError } from './errors.js';
import { splitMbox, type SplitMboxOptions } from './split-mbox.js';

/** A file's bytes as one message, whatever they are (maildir entries). */
export async function* readRawFile(path: string): AsyncGenerator<RawMessage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw ioError(path, err);
  }
  yield { source: path, bytes };
}

/**
 * One message file (`.eml`, a `git format-patch` file), its bytes as they are, `source` the path.
 * A file that starts with a `From ` line is an mbox (a format-patch file, or several messages
 * saved together): it is split like one, the From_ line dropped, `source` `path#N`.
 */
export async function* readEmlFile(path: string, opts: SplitMboxOptions = {}): AsyncGenerator<RawMessage> {
  for await (const m of readRawFile(path)) {
    if (m.bytes.subarray(0, 5).toString('latin1') === 'From ') yield* splitMbox([m.bytes], path, opts);
    else yield m;
  }
}

/** Byte order of file names (stable whatever the locale). */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * Every regular file of a folder (not its subfolders), as one message each, in byte order of the
 * file names, each read with {@link readEmlFile}. Dotfiles are skipped; symlinks to regular files are read.
 */
export async function* readEmlDir(dir: string, opts: SplitMboxOptions = {}): AsyncGenerator<RawMessage> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw ioError(dir, err);
  }
  names = names.filter((n) => !n.startsWith('.')).sort(compareNames);
  for (const n of names) {
    const path = join(dir, n);
    let st;
    try {
      st = await stat(path);
    } catch (err) {
      throw ioError(path, err);
    }
    if (!st.isFile()) continue;
    yield* readEmlFile(path, opts);
  }
}
