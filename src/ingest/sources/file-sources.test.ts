import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceUnreadableError } from '../../model/errors.js';
import { collect, mail, writeMboxrd } from './fixtures/helpers.js';
import { detectSourceKind, openSource } from './open-source.js';
import { readEmlDir, readEmlFile } from './read-eml.js';
import { readMaildir } from './read-maildir.js';
import { readMboxFile } from './read-mbox-file.js';
import { readMessageStream } from './read-stdin.js';

let dir: string;
const p = (...parts: string[]) => join(dir, ...parts);
const msgs = [mail('one\n'), mail('two\n>From x\n'), mail('three\n'), mail('four\n')];
const mbox = writeMboxrd(msgs);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bpf-review-sources-'));
  writeFileSync(p('a.mbox'), mbox);
  writeFileSync(p('a.mbox.gz'), gzipSync(mbox));
  // Two gzip members, as `cat a.gz b.gz` makes: gzip reads them as one stream.
  writeFileSync(p('two-members.gz'), Buffer.concat([gzipSync(writeMboxrd(msgs.slice(0, 2))), gzipSync(writeMboxrd(msgs.slice(2)))]));
  writeFileSync(p('empty'), '');
  writeFileSync(p('one.eml'), msgs[0]!);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bytesOf = (ms: { bytes: Buffer }[]) => ms.map((m) => m.bytes.toString('latin1'));
const want = msgs.map((m) => m.toString('latin1'));

describe('readMboxFile', () => {
  it('reads plain and gzip mbox files (gzip by magic bytes, also several members)', async () => {
    expect(bytesOf(await collect(readMboxFile(p('a.mbox'))))).toEqual(want);
    const gz = await collect(readMboxFile(p('a.mbox.gz')));
    expect(bytesOf(gz)).toEqual(want);
    expect(gz[3]!.source).toBe(`${p('a.mbox.gz')}#4`);
    writeFileSync(p('gz-without-suffix'), gzipSync(mbox));
    expect(bytesOf(await collect(readMboxFile(p('gz-without-suffix'))))).toEqual(want);
    expect(bytesOf(await collect(readMboxFile(p('two-members.gz'))))).toEqual(want);
  });

  it('reads mboxo when asked: >From lines stay', async () => {
    const got = await collect(readMboxFile(p('a.mbox'), { format: 'mboxo' }));
    expect(got[1]!.bytes.toString()).toContain('\n>>From x\n');
  });

  it('yields the messages before a truncated gzip, then throws a SourceUnreadableError with the offset', async () => {
    // Many messages so the damage lands well after the first ones.
    const many = Array.from({ length: 400 }, (_, i) => mail(`message ${i}\n${'filler line\n'.repeat(50)}`));
    const gz = gzipSync(writeMboxrd(many));
    const cut = Math.floor(gz.length * 0.6);
    writeFileSync(p('truncated.gz'), gz.subarray(0, cut));
    const got: string[] = [];
    let error: unknown = null;
    try {
      for await (const m of readMboxFile(p('truncated.gz'))) got.push(m.bytes.toString('latin1'));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SourceUnreadableError);
    expect((error as Error).message).toMatch(/truncated\.gz: corrupt or truncated gzip data near compressed byte \d+/);
    expect(got.length).toBeGreaterThan(100);
    expect(got.length).toBeLessThan(400);
    // Every message yielded is whole and in order: nothing cut off is passed on as if complete.
    got.forEach((g, i) => expect(g).toBe(many[i]!.toString('latin1')));
  });

  it('reports corrupt gzip data in the middle of the file', async () => {
    const gz = Buffer.from(gzipSync(writeMboxrd(Array.from({ length: 200 }, (_, i) => mail(`m ${i}\n${'x y z\n'.repeat(40)}`)))));
    for (let i = Math.floor(gz.length / 2); i < Math.floor(gz.length / 2) + 64; i++) gz[i] = gz[i]! ^ 0xa5;
    writeFileSync(p('corrupt.gz'), gz);
    await expect(collect(readMboxFile(p('corrupt.gz')))).rejects.toBeInstanceOf(SourceUnreadableError);
  });

  it('names a missing file and says what to give', async () => {
    await expect(collect(readMboxFile(p('nope.mbox')))).rejects.toThrow(/nope\.mbox: no such file or folder; give an mbox, maildir/);
  });
});

describe('readMaildir', () => {
  it('reads cur/ and new/ (not tmp/), ordered by delivery time then name, skipping dotfiles', async () => {
    const md = p('Maildir');
    for (const s of ['cur', 'new', 'tmp']) mkdirSync(join(md, s), { recursive: true });
    writeFileSync(join(md, 'new', '1700000300.M3P1.host'), msgs[2]!);
    writeFileSync(join(md, 'cur', '1700000100.M1P1.host:2,S'), msgs[0]!);
    writeFileSync(join(md, 'cur', '1700000200.M2P1.host:2,RS'), msgs[1]!);
    writeFileSync(join(md, 'cur', '999999999.M0P1.host:2,'), msgs[3]!); // 9 digits: older, sorts first by number
    writeFileSync(join(md, 'tmp', '1700000400.M4P1.host'), 'in delivery');
    writeFileSync(join(md, 'cur', '.hidden'), 'no');
    const got = await collect(readMaildir(md));
    expect(bytesOf(got)).toEqual([want[3], want[0], want[1], want[2]]);
    expect(got[0]!.source).toBe(join(md, 'cur', '999999999.M0P1.host:2,'));
    expect(detectSourceKind(md)).toBe('maildir');
  });

  it('refuses a folder that is no maildir', async () => {
    mkdirSync(p('not-maildir'), { recursive: true });
    await expect(collect(readMaildir(p('not-maildir')))).rejects.toThrow(/not a maildir \(no cur\/ or new\/ folder\)/);
  });
});

describe('readEmlFile / readEmlDir', () => {
  it('reads one message file as it is', async () => {
    const got = await collect(readEmlFile(p('one.eml')));
    expect(got).toEqual([{ source: p('one.eml'), bytes: msgs[0] }]);
  });

  it('reads every regular file of a folder in name order, skipping dotfiles and subfolders', async () => {
    const d = p('emls');
    mkdirSync(join(d, 'sub'), { recursive: true });
    writeFileSync(join(d, '0002-b.patch'), msgs[1]!);
    writeFileSync(join(d, '0001-a.eml'), msgs[0]!);
    writeFileSync(join(d, '0010-c.eml'), msgs[2]!);
    writeFileSync(join(d, '.DS_Store'), 'junk');
    writeFileSync(join(d, 'sub', 'x.eml'), 'not read');
    symlinkSync(join(d, '0001-a.eml'), join(d, '0020-link.eml'));
    // A git format-patch file starts with a From_ line: it is a one-message mbox.
    writeFileSync(join(d, '0030-format-patch.patch'), `From 1234abcd Mon Sep 17 00:00:00 2001\n${want[3]}`);
    const got = await collect(readEmlDir(d));
    expect(got.map((m) => m.source)).toEqual(
      ['0001-a.eml', '0002-b.patch', '0010-c.eml', '0020-link.eml', '0030-format-patch.patch#1'].map((n) => join(d, n)),
    );
    expect(bytesOf(got)).toEqual([want[0], want[1], want[2], want[0], want[3]]);
    expect(detectSourceKind(d)).toBe('eml-dir');
  });
});

describe('readMessageStream (standard input)', () => {
  const stream = (b: Buffer, size = 3) => Readable.from((function* () {
    for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
  })());

  it('splits an mbox when the input starts with a From line', async () => {
    const got = await collect(readMessageStream(stream(mbox)));
    expect(bytesOf(got)).toEqual(want);
    expect(got[0]!.source).toBe('<stdin>#1');
  });

  it('takes anything else as one message', async () => {
    const got = await collect(readMessageStream(stream(msgs[1]!, 2)));
    expect(got).toEqual([{ source: '<stdin>', bytes: msgs[1] }]);
  });

  it('decompresses gzip input', async () => {
    expect(bytesOf(await collect(readMessageStream(stream(gzipSync(mbox), 1000))))).toEqual(want);
  });

  it('refuses empty input', async () => {
    await expect(collect(readMessageStream(stream(Buffer.alloc(0))))).rejects.toThrow(/<stdin>: empty input; pipe an mbox or a message/);
  });
});

describe('openSource', () => {
  it('detects each kind from what is on disk', () => {
    expect(openSource('-').kind).toBe('stdin');
    expect(openSource(p('a.mbox')).kind).toBe('mbox');
    expect(openSource(p('a.mbox.gz')).kind).toBe('mbox.gz');
    expect(openSource(p('one.eml')).kind).toBe('eml');
  });

  it('reads through the opened source', async () => {
    expect(bytesOf(await collect(openSource(p('a.mbox.gz')).messages))).toEqual(want);
  });

  it('throws SourceUnreadableError saying what to fix', () => {
    const missing = p('x.mbox');
    expect(() => openSource(missing)).toThrow(SourceUnreadableError);
    expect(() => openSource(missing)).toThrow(`${missing}: no such file or folder; give an mbox, maildir, .eml file or folder, public-inbox archive, or - for standard input`);
    expect(() => openSource(p('empty'))).toThrow(/empty: empty file; give an mbox/);
    expect(() => openSource('/dev/null')).toThrow(/neither a file nor a folder/);
  });

  // root reads everything, so this can only be checked as another user.
  it.skipIf(process.getuid?.() === 0)('reports an unreadable file as a permission problem', () => {
    writeFileSync(p('secret.mbox'), mbox);
    chmodSync(p('secret.mbox'), 0o000);
    expect(() => openSource(p('secret.mbox'))).toThrow(/permission denied/);
    chmodSync(p('secret.mbox'), 0o644);
    expect(readFileSync(p('secret.mbox')).length).toBe(mbox.length);
  });
});
