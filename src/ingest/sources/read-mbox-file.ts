import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { RawMessage } from '../../model/message.js';
import { SourceUnreadableError } from '../../model/errors.js';
import { ioError } from './errors.js';
import { splitMbox, type SplitMboxOptions } from './split-mbox.js';

export type ReadMboxOptions = SplitMboxOptions;

/** Read size for files: large chunks keep the per-chunk overhead of the splitter negligible. */
export const READ_CHUNK = 1 << 20;

/** Whether the first bytes are the gzip magic 1f 8b. */
export function isGzipMagic(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * Messages of an mbox file (mboxrd by default, see {@link splitMbox}), gzip-compressed or not:
 * gzip is recognised by its magic bytes, not the name, and decompressed as a stream.
 * Unreadable files throw SourceUnreadableError; so does corrupt or truncated gzip data, after
 * every message complete before the damage has been yielded.
 */
export async function* readMboxFile(path: string, opts: ReadMboxOptions = {}): AsyncGenerator<RawMessage> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw ioError(path, err);
  }
  let gz: boolean;
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    gz = isGzipMagic(head.subarray(0, bytesRead));
  } catch (err) {
    await fh.close().catch(() => undefined);
    throw ioError(path, err);
  }
  const file = fh.createReadStream({ highWaterMark: READ_CHUNK, start: 0 });
  try {
    const bytes = gz ? gunzipChunks(file, path) : fileChunks(file, path);
    yield* splitMbox(bytes, path, opts);
  } finally {
    file.destroy();
    await fh.close().catch(() => undefined);
  }
}

async function* fileChunks(file: Readable, path: string): AsyncGenerator<Buffer> {
  try {
    for await (const c of file) yield c as Buffer;
  } catch (err) {
    throw ioError(path, err);
  }
}

/**
 * Decompress a gzip stream (several members are read one after the other, as gzip does).
 * A read error or corrupt data becomes a SourceUnreadableError naming the compressed byte offset.
 */
export async function* gunzipChunks(src: Readable, path: string): AsyncGenerator<Buffer> {
  const gz = createGunzip({ chunkSize: 256 * 1024 });
  let readError: unknown = null;
  src.on('error', (err) => {
    readError = err;
    gz.destroy(err);
  });
  src.pipe(gz);
  let out = 0;
  try {
    for await (const c of gz) {
      out += (c as Buffer).length;
      yield c as Buffer;
    }
  } catch (err) {
    if (readError) throw ioError(path, readError);
    const reason = err instanceof Error ? err.message : String(err);
    throw new SourceUnreadableError(
      `${path}: corrupt or truncated gzip data near compressed byte ${gz.bytesWritten} (after ${out} decompressed bytes): ${reason}; ` +
        `the messages before that point were read, the one cut there was not. Fetch the file again (check it with gzip -t)`,
      path,
    );
  } finally {
    src.unpipe(gz);
    gz.destroy();
  }
}
