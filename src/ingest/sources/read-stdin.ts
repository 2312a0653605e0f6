import { Readable } from 'node:stream';
import type { RawMessage } from '../../model/message.js';
import { SourceUnreadableError } from '../../model/errors.js';
import { gunzipChunks, isGzipMagic } from './read-mbox-file.js';
import { splitMbox, type SplitMboxOptions } from './split-mbox.js';

/** The name standard input goes by in `source`: `<stdin>` for one message, `<stdin>#N` in an mbox. */
export const STDIN_NAME = '<stdin>';

/**
 * Messages from a byte stream whose kind is not known: gzip (by magic bytes) is decompressed; then a
 * leading `From ` line means an mbox (split with {@link splitMbox}), anything else is one message.
 * An empty stream is a SourceUnreadableError.
 */
export async function* readMessageStream(
  stream: AsyncIterable<Buffer | Uint8Array | string>,
  name: string = STDIN_NAME,
  opts: SplitMboxOptions = {},
): AsyncGenerator<RawMessage> {
  const it = toBuffers(stream)[Symbol.asyncIterator]();
  // Peek at the first bytes (at least 5, or all there is).
  const head: Buffer[] = [];
  let headLen = 0;
  let done = false;
  while (headLen < 5) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    head.push(r.value);
    headLen += r.value.length;
  }
  if (headLen === 0) {
    throw new SourceUnreadableError(`${name}: empty input; pipe an mbox or a message into it (or give a path instead of -)`, name);
  }
  const rest: AsyncIterable<Buffer> = {
    async *[Symbol.asyncIterator]() {
      yield* head;
      if (done) return;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    },
  };
  const first = Buffer.concat(head);
  if (isGzipMagic(first)) {
    yield* readMessageStream(gunzipChunks(Readable.from(rest, { objectMode: false }), name), name, opts);
    return;
  }
  if (first.subarray(0, 5).toString('latin1') === 'From ') {
    yield* splitMbox(rest, name, opts);
    return;
  }
  const parts: Buffer[] = [];
  for await (const c of rest) parts.push(c);
  yield { source: name, bytes: Buffer.concat(parts) };
}

async function* toBuffers(stream: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<Buffer> {
  for await (const c of stream) {
    const b = typeof c === 'string' ? Buffer.from(c, 'utf8') : Buffer.isBuffer(c) ? c : Buffer.from(c);
    if (b.length > 0) yield b;
  }
}

/** Messages from standard input: an mbox (leading `From ` line, gzip or not) or one message. */
export function readStdin(opts: SplitMboxOptions = {}): AsyncGenerator<RawMessage> {
  return readMessageStream(process.stdin, STDIN_NAME, opts);
}
