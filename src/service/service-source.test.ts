import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeLength, maildirSource, mboxTailSource, type ServiceSource, type SourceBatch } from './service-source.js';

const entry = (id: string): string => `From mboxrd@z Thu Jan  1 00:00:00 1970\nMessage-ID: <${id}>\nSubject: x\n\nbody ${id}\nFrom the start\n\n`;

async function pollAll(s: ServiceSource, cursor: string | null, size = 100): Promise<SourceBatch[]> {
  const out: SourceBatch[] = [];
  for await (const b of s.poll(cursor, size)) out.push(b);
  return out;
}
const ids = (bs: SourceBatch[]): string[] => bs.flatMap((b) => b.messages.map((m) => /Message-ID: <([^>]+)>/.exec(m.bytes.toString())![1]!));

describe('mboxTailSource', () => {
  it('reads what was appended after the cursor, and leaves a message still being written for the next poll', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpf-review-src-'));
    try {
      const path = join(dir, 'list.mbox');
      const src = mboxTailSource('list', path);
      expect(await pollAll(src, null)).toEqual([]); // not created yet
      appendFileSync(path, entry('a') + entry('b'));
      const first = await pollAll(src, null);
      expect(ids(first)).toEqual(['a', 'b']);
      const c1 = first[first.length - 1]!.cursor;
      expect(Number(c1)).toBe(Buffer.byteLength(entry('a') + entry('b')));
      // half a message: not read yet, cursor unchanged
      const half = entry('c');
      appendFileSync(path, half.slice(0, 30));
      expect(await pollAll(src, c1)).toEqual([]);
      appendFileSync(path, half.slice(30) + entry('d').slice(0, 50));
      const second = await pollAll(src, c1);
      expect(ids(second)).toEqual(['c']);
      expect(second[0]!.messages[0]!.bytes.toString()).toContain('\nFrom the start'); // mboxrd unescaping
      appendFileSync(path, entry('d').slice(50));
      expect(ids(await pollAll(src, second[second.length - 1]!.cursor))).toEqual(['d']);
      await expect(pollAll(src, String(10 ** 9))).rejects.toThrow(/shrank below the cursor/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('batches, keeping the old cursor until the read is over (a crash re-reads, the store dedups)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpf-review-src-'));
    try {
      const path = join(dir, 'list.mbox');
      writeFileSync(path, ['a', 'b', 'c'].map(entry).join(''));
      const bs = await pollAll(mboxTailSource('l', path), null, 2);
      expect(bs.map((b) => [b.messages.length, b.cursor])).toEqual([[2, '0'], [1, String(Buffer.byteLength(['a', 'b', 'c'].map(entry).join('')))]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a file larger than one chunk in several chunks, each cut at a message boundary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpf-review-src-'));
    try {
      const path = join(dir, 'big.mbox');
      const all = Array.from({ length: 20 }, (_, i) => entry(`m${i}`)).join('');
      writeFileSync(path, all);
      const bs = await pollAll(mboxTailSource('l', path, { chunkBytes: 200 }), null, 100);
      expect(ids(bs)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
      expect(bs[bs.length - 1]!.cursor).toBe(String(Buffer.byteLength(all)));
      expect(bs.length).toBeGreaterThan(3);
      await expect(pollAll(mboxTailSource('l', path, { chunkBytes: 20 }), null, 100)).rejects.toThrow(/larger than 20 bytes/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('completeLength cuts before the last From_ line unless the data ends with a blank line', () => {
    const two = Buffer.from(entry('a') + entry('b'));
    expect(completeLength(two)).toBe(two.length);
    const partial = Buffer.from(entry('a') + 'From mboxrd@z Thu Jan  1 00:00:00 1970\nMessage-ID: <b>');
    expect(completeLength(partial)).toBe(Buffer.byteLength(entry('a')));
    expect(completeLength(Buffer.from('From mboxrd@z Thu Jan  1 00:00:00 1970\nSubj'))).toBe(0);
    // inside the file a blank line proves nothing: only the next From_ line does
    expect(completeLength(two, false)).toBe(Buffer.byteLength(entry('a')));
  });
});

describe('maildirSource', () => {
  it('reads new/ and cur/ in name order after the cursor, without moving anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpf-review-md-'));
    try {
      for (const s of ['new', 'cur', 'tmp']) mkdirSync(join(dir, s));
      writeFileSync(join(dir, 'cur', '1700000001.a.host:2,S'), 'Message-ID: <a>\n\nx\n');
      writeFileSync(join(dir, 'new', '1700000002.b.host'), 'Message-ID: <b>\n\nx\n');
      writeFileSync(join(dir, 'tmp', '1700000003.c.host'), 'Message-ID: <c>\n\nx\n');
      const src = maildirSource('md', dir);
      const all = await pollAll(src, null);
      expect(ids(all)).toEqual(['a', 'b']);
      const cursor = all[all.length - 1]!.cursor;
      expect(await pollAll(src, cursor)).toEqual([]);
      writeFileSync(join(dir, 'new', '1700000004.d.host'), 'Message-ID: <d>\n\nx\n');
      expect(ids(await pollAll(src, cursor))).toEqual(['d']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
