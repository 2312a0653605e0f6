import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeShared, sharedPath } from '../../../test/support/shared-data.js';
import { chunked, collect, mail, writeMboxo, writeMboxrd } from './fixtures/helpers.js';
import { isFromLine, splitMbox } from './split-mbox.js';

const split = (buf: Buffer, size = 1 << 20, format?: 'mboxrd' | 'mboxo') =>
  collect(splitMbox(chunked(buf, size), 'x.mbox', format ? { format } : {}));
const texts = async (buf: Buffer, size?: number, format?: 'mboxrd' | 'mboxo') =>
  (await split(buf, size, format)).map((m) => m.bytes.toString('latin1'));

describe('isFromLine', () => {
  it.each([
    'From 1234abcd Mon Sep 17 00:00:00 2001',
    'From 7a1921ba7bd99c63ad6dc6ec0791691ee80e279a Mon Sep 17 00:00:00 2001',
    'From mboxrd@z Thu Jan  1 00:00:00 1970',
    'From user@host Tue Dec 27 12:34:56 2011',
    'From - Mon Jan 01 00:00:00 2001',
    'From MAILER-DAEMON Fri Jul  8 12:08:34 2011 +0000',
    'From foo@bar Mon, 17 Sep 2001 10:00 +0200',
  ])('accepts %j', (line) => expect(isFromLine(line)).toBe(true));
  it.each([
    "From this we can't tell what state the socket is in or whether it is",
    'From cgroup POV, this looks fine to me but I',
    'From here...',
    'From the trampoline frame, the back chain stored in the dummy frame at offset',
    'From 10:30 until 2024 we met',
    'From: A <a@example.com>',
    'From ',
  ])('rejects %j', (line) => expect(isFromLine(line)).toBe(false));
});

describe('splitMbox', () => {
  const msgs = [
    mail('hello\n>From escaped once in the original\n>>From twice\nFrom the body, unescaped in the original\n'),
    mail('\nFrom 1234abcd Mon Sep 17 00:00:00 2001\nFrom: quoted patch header\n\n-- \n2.30.2\n\n'),
    mail('last one\n'),
  ];

  it('round-trips mboxrd escaping exactly, at every chunk size', async () => {
    const mbox = writeMboxrd(msgs);
    const want = msgs.map((m) => m.toString('latin1'));
    expect(await texts(mbox)).toEqual(want);
    for (const size of [1, 2, 3, 5, 7, 13, 64, 100]) expect(await texts(mbox, size)).toEqual(want);
  });

  it('numbers sources path#N from 1', async () => {
    const got = await split(writeMboxrd(msgs));
    expect(got.map((m) => m.source)).toEqual(['x.mbox#1', 'x.mbox#2', 'x.mbox#3']);
  });

  it('mboxo: keeps >From lines; body prose starting with "From " never splits', async () => {
    // Written with no escaping at all (the worst mboxo writers): body prose "From ..." must not split.
    const body = [mail('text\n\nFrom this we cannot tell.\n>From quoted\n'), mail('From here...\n\nFrom cgroup POV, fine\n')];
    const mbox = writeMboxo(body, false);
    expect(await texts(mbox, 1 << 20, 'mboxo')).toEqual(body.map((m) => m.toString('latin1')));
    // The default (mboxrd) also keeps them as two messages; it removes one '>' from >From lines.
    const rd = await texts(mbox);
    expect(rd).toHaveLength(2);
    expect(rd[0]).toContain('\nFrom quoted\n');
  });

  it('splits at a strict From_ line even without a blank line before it (as git mailsplit does)', async () => {
    const mbox = Buffer.from(
      'From a@b Mon Sep 17 00:00:00 2001\nSubject: one\n\nbody\nFrom c@d Mon Sep 17 00:00:00 2001\nSubject: two\n\nbody2\n',
    );
    for (const format of ['mboxrd', 'mboxo'] as const) {
      expect(await texts(mbox, 5, format)).toEqual(['Subject: one\n\nbody\n', 'Subject: two\n\nbody2\n']);
    }
  });

  it('handles CRLF files: From_ line, blank separator and escapes', async () => {
    const crlf = [mail('a\r\n>From x\r\nb', '\r\n'), mail('c\r\n\r\n', '\r\n')];
    const mbox = writeMboxrd(crlf, '\r\n');
    const want = crlf.map((m) => {
      const s = m.toString('latin1');
      return s.endsWith('\n') ? s : `${s}\r\n`;
    });
    for (const size of [1, 3, 1 << 20]) expect(await texts(mbox, size)).toEqual(want);
  });

  it('keeps a final message without a trailing newline as it is', async () => {
    const mbox = Buffer.from('From a@b Mon Sep 17 00:00:00 2001\nSubject: one\n\nbody\n\nFrom a@b Mon Sep 17 00:00:00 2001\nSubject: two\n\nno newline');
    for (const size of [1, 4, 1 << 20]) expect(await texts(mbox, size)).toEqual(['Subject: one\n\nbody\n', 'Subject: two\n\nno newline']);
  });

  it('yields non-blank bytes before the first From_ line and empty messages, drops blank preambles', async () => {
    expect(await texts(Buffer.from('\n \t\nFrom a@b Mon Sep 17 00:00:00 2001\nX: 1\n\nb\n'))).toEqual(['X: 1\n\nb\n']);
    expect(await texts(Buffer.from('  \nFrom anything\nX: 1\n'), 2)).toEqual(['X: 1\n']);
    expect(await texts(Buffer.from('garbage\n\nFrom a@b Mon Sep 17 00:00:00 2001\nX: 1\n'))).toEqual(['garbage\n', 'X: 1\n']);
    expect(
      await texts(Buffer.from('From a@b Mon Sep 17 00:00:00 2001\n\nFrom a@b Mon Sep 17 00:00:00 2001\nX: 1\n')),
    ).toEqual(['', 'X: 1\n']);
    expect(await texts(Buffer.alloc(0))).toEqual([]);
  });

  it('accepts any From line as the first line, and string or Uint8Array chunks', async () => {
    const got = await collect(
      splitMbox((async function* () {
        yield 'From whatever\nX: 1\n';
        yield new Uint8Array(Buffer.from('\nFrom a@b Mon Sep 17 00:00:00 2001\nX: 2\n'));
      })(), 's'),
    );
    expect(got.map((m) => m.bytes.toString())).toEqual(['X: 1\n', 'X: 2\n']);
  });

  it('carries long lines and From_ lines split across chunks', async () => {
    const long = 'x'.repeat(5000);
    const m1 = mail(`${long}\n>${'>'.repeat(3)}From deep\n${long}${long}\n`);
    const m2 = mail(`${'y'.repeat(3000)}`);
    const mbox = writeMboxrd([m1, m2]);
    const want = [m1.toString('latin1'), `${m2.toString('latin1')}\n`];
    for (const size of [1, 7, 999, 1024, 1500, 4096]) expect(await texts(mbox, size)).toEqual(want);
  });

  it('does not treat a From line longer than 1024 bytes as a separator', async () => {
    const tooLong = `From a@b Mon Sep 17 00:00:00 2001 ${'z'.repeat(2000)}`;
    const mbox = Buffer.from(`From a@b Mon Sep 17 00:00:00 2001\nX: 1\n\n${tooLong}\n`);
    expect(await texts(mbox, 100)).toEqual([`X: 1\n\n${tooLong}\n`]);
  });
});

describe('splitMbox round trip on generated mail', () => {
  it('gives back every message of random mboxrd files, at random chunk sizes', async () => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const lineKinds = ['text', '', 'From here on', '>From quoted', '>>From deeper', 'From 1234abcd Mon Sep 17 00:00:00 2001', '>', 'From', ' From x'];
    for (let round = 0; round < 40; round++) {
      const eol = rnd(4) === 0 ? '\r\n' : '\n';
      const msgs = Array.from({ length: 1 + rnd(6) }, () => {
        const lines = Array.from({ length: rnd(12) }, () => lineKinds[rnd(lineKinds.length)]!);
        return Buffer.from(`Subject: r${round}${eol}${eol}${lines.map((l) => l + eol).join('')}`, 'latin1');
      });
      const mbox = writeMboxrd(msgs, eol);
      const got = await texts(mbox, 1 + rnd(300));
      expect(got, `round ${round}`).toEqual(msgs.map((m) => m.toString('latin1')));
    }
  });
});

describeShared('splitMbox on real list threads', () => {
  const root = sharedPath('corpus', 'bpf-list-threads');
  const dirs = readdirSync(root).sort();

  it('splits every thread.mboxrd into its .eml files, byte for byte', async () => {
    expect(dirs.length).toBeGreaterThan(10);
    let total = 0;
    for (const d of dirs) {
      const emls = readdirSync(join(root, d)).filter((f) => f.endsWith('.eml')).sort();
      const mbox = readFileSync(join(root, d, 'thread.mboxrd'));
      const got = await split(mbox, 65536);
      expect(got.length, d).toBe(emls.length);
      // The .eml files are the messages; the mboxrd adds a From_ line and a blank line after each.
      got.forEach((m, i) => expect(m.bytes.equals(readFileSync(join(root, d, emls[i]!))), `${d} #${i + 1}`).toBe(true));
      total += got.length;
    }
    expect(total).toBeGreaterThan(400);
  });

  it('keeps >From and >>From lines of real mail through an mboxrd round trip', async () => {
    const dir = sharedPath('corpus', 'oddities', 'body-gtFrom-line');
    const originals = readdirSync(dir).sort().map((f) => readFileSync(join(dir, f)));
    expect(originals.some((b) => /^>+From /m.test(b.toString('latin1')))).toBe(true);
    const got = await split(writeMboxrd(originals), 4096);
    expect(got.map((m) => m.bytes.equals(originals[got.indexOf(m)]!))).toEqual(originals.map(() => true));
  });

  it('does not split real mail at body lines starting with "From " (unescaped mboxo)', async () => {
    const dir = sharedPath('corpus', 'oddities', 'body-From-line');
    const originals = readdirSync(dir).sort().map((f) => readFileSync(join(dir, f)));
    expect(originals.every((b) => /\n\nFrom /.test(b.toString('latin1')))).toBe(true);
    for (const format of ['mboxo', 'mboxrd'] as const) {
      const got = await split(writeMboxo(originals, false), 4096, format);
      expect(got.length, format).toBe(originals.length);
      got.forEach((m, i) => expect(m.bytes.equals(originals[i]!), `${format} #${i + 1}`).toBe(true));
    }
  });

  it('agrees with git mailsplit on git\'s own sample.mbox (mboxo)', async () => {
    const sample = sharedPath('corpus', 'git-t5100', 'sample.mbox');
    const out = mkdtempSync(join(tmpdir(), 'mailsplit-'));
    try {
      const n = Number(execFileSync('git', ['mailsplit', `-o${out}`, sample]).toString().trim());
      const got = await split(readFileSync(sample), 333, 'mboxo');
      expect(got.length).toBe(n);
      const files = readdirSync(out).sort();
      got.forEach((m, i) => {
        // mailsplit keeps the From_ line and the blank line after the message; we drop both.
        const theirs = readFileSync(join(out, files[i]!));
        const rest = theirs.subarray(theirs.indexOf(0x0a) + 1).toString('latin1');
        const ours = m.bytes.toString('latin1');
        expect([ours, `${ours}\n`], `#${i + 1}`).toContain(rest);
      });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('splitMbox: mboxrd unescaping among quoted lines', () => {
  it('removes one ">" only from lines that are ">...>From ", at every chunk size', async () => {
    const body = '> quoted\n>\n>>From x\n>>>From y\nsome >From z\n>Fromage\n> >From no\n>From\n>From a\n';
    const want = '> quoted\n>\n>From x\n>>From y\nsome >From z\n>Fromage\n> >From no\n>From\nFrom a\n';
    const file = Buffer.from(`From mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: s\n\n${body}\nFrom mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: t\n\n>From b\n`, 'latin1');
    for (const size of [1, 2, 3, 5, 7, 64, 1 << 20]) {
      expect(await texts(file, size)).toEqual([`Subject: s\n\n${want}`, 'Subject: t\n\nFrom b\n']);
    }
  });
});
