/**
 * What the daemon follows: a source it can ask for "what came after this cursor". Each batch
 * carries the cursor that covers it; the daemon stores the batch and the cursor in one
 * transaction, so after a crash it reads again from the last committed cursor and the store's
 * Message-ID key drops what it already had.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RawMessage } from '../model/index.js';
import { SourceUnreadableError } from '../model/index.js';
import { splitMbox, isFromLine } from '../ingest/sources/split-mbox.js';
import { readPublicInboxV2 } from '../ingest/sources/read-public-inbox-v2.js';

export interface SourceBatch {
  messages: RawMessage[];
  /** Where to continue after this batch. */
  cursor: string;
}

export interface ServiceSource {
  /** The name cursors and messages are stored under (unique per daemon). */
  readonly name: string;
  readonly kind: string;
  /** What came after `cursor` (from the start when null), in batches of at most `batchSize`. */
  poll(cursor: string | null, batchSize: number): AsyncIterable<SourceBatch>;
}

/**
 * An mbox file that grows at the end (a list delivered to a file). The cursor is the byte offset
 * after the last complete message read. A message is complete when a From_ line follows it, or
 * when the file ends with the blank line mbox writers put after each message; a message still
 * being appended is read on the next poll.
 */
export function mboxTailSource(name: string, path: string, opts: { chunkBytes?: number } = {}): ServiceSource {
  const chunkBytes = opts.chunkBytes ?? 32 << 20;
  return {
    name,
    kind: 'mbox',
    async *poll(cursor, batchSize) {
      let start = cursor === null ? 0 : Number(cursor);
      if (!Number.isInteger(start) || start < 0) throw new SourceUnreadableError(`${path}: cursor "${cursor}" is not a byte offset`, path);
      let size: number;
      try {
        size = (await stat(path)).size;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // not created yet
        throw new SourceUnreadableError(`${path}: ${(err as Error).message}`, path);
      }
      if (size < start) throw new SourceUnreadableError(`${path}: the file shrank below the cursor (${size} < ${start}); it was rewritten, not appended to`, path);
      // read in chunks of at most chunkBytes, each cut after its last complete message
      while (start < size) {
        const want = Math.min(size - start, chunkBytes);
        const atEnd = want === size - start;
        const fh = await open(path, 'r');
        let buf: Buffer;
        try {
          buf = Buffer.alloc(want);
          const { bytesRead } = await fh.read(buf, 0, want, start);
          buf = buf.subarray(0, bytesRead);
        } finally {
          await fh.close();
        }
        const complete = completeLength(buf, atEnd);
        if (complete === 0) {
          if (atEnd) return; // a message still being written
          throw new SourceUnreadableError(`${path}: the message at byte ${start} is larger than ${chunkBytes} bytes`, path);
        }
        const part = buf.subarray(0, complete);
        let batch: RawMessage[] = [];
        for await (const m of splitMbox([part], `${path}@${start}`)) {
          batch.push(m);
          if (batch.length >= batchSize) {
            // cursors inside one chunk are not byte-exact; only the chunk's end is. Interim
            // batches keep the old cursor: a crash re-reads them and the store drops duplicates.
            yield { messages: batch, cursor: String(start) };
            batch = [];
          }
        }
        start += complete;
        yield { messages: batch, cursor: String(start) };
      }
    },
  };
}

/**
 * Bytes of `buf` made of complete messages (see mboxTailSource). `atEnd`: buf ends where the file
 * ends (then a final blank line closes the last message); otherwise only a From_ line does.
 */
export function completeLength(buf: Buffer, atEnd = true): number {
  if (buf.length === 0) return 0;
  if (atEnd && buf.length >= 2 && buf[buf.length - 1] === 0x0a && (buf[buf.length - 2] === 0x0a || (buf[buf.length - 2] === 0x0d && buf[buf.length - 3] === 0x0a))) return buf.length;
  // cut before the last From_ line: that message may still be being written
  let i = buf.lastIndexOf('\nFrom ');
  while (i >= 0) {
    const eol = buf.indexOf(0x0a, i + 1);
    const line = buf.subarray(i + 1, eol < 0 ? buf.length : eol).toString('latin1').replace(/\r$/, '');
    if (isFromLine(line)) return i + 1;
    i = i === 0 ? -1 : buf.lastIndexOf('\nFrom ', i - 1);
  }
  return 0;
}

/** A public-inbox v2 archive: the cursor is the reader's `<epoch>:<commit>`. */
export function publicInboxSource(name: string, dir: string): ServiceSource {
  return {
    name,
    kind: 'public-inbox',
    async *poll(cursor, batchSize) {
      const r = readPublicInboxV2(dir, { since: cursor });
      let batch: RawMessage[] = [];
      for await (const m of r.messages) {
        batch.push(m);
        if (batch.length >= batchSize) {
          yield { messages: batch, cursor: r.cursor() ?? '' };
          batch = [];
        }
      }
      const c = r.cursor();
      if (c !== null && (batch.length > 0 || c !== cursor)) yield { messages: batch, cursor: c };
    },
  };
}

/**
 * A maildir the daemon only reads (it does not move files to cur/). The cursor is the greatest
 * file name read; maildir names start with the delivery time in seconds, so later deliveries
 * sort after earlier ones. A file delivered with a smaller name than one already read (a clock
 * step back) is missed: give such sources a cursor-free replay with `backfill`.
 */
export function maildirSource(name: string, dir: string): ServiceSource {
  return {
    name,
    kind: 'maildir',
    async *poll(cursor, batchSize) {
      const names: { name: string; path: string }[] = [];
      for (const sub of ['new', 'cur']) {
        let list: string[];
        try {
          list = await readdir(join(dir, sub));
        } catch {
          continue;
        }
        for (const n of list) if (!n.startsWith('.') && (cursor === null || n > cursor)) names.push({ name: n, path: join(dir, sub, n) });
      }
      names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      let batch: RawMessage[] = [];
      for (const f of names) {
        const fh = await open(f.path, 'r').catch(() => null);
        if (!fh) continue; // moved between readdir and open: found under its new name next poll
        try {
          batch.push({ source: f.path, bytes: await fh.readFile() });
        } finally {
          await fh.close();
        }
        if (batch.length >= batchSize) {
          yield { messages: batch, cursor: f.name };
          batch = [];
        }
      }
      if (batch.length > 0) yield { messages: batch, cursor: names[names.length - 1]!.name };
    },
  };
}
