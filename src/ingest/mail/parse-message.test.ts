import { describe, expect, it } from 'vitest';
import { MalformedMessageError } from '../../model/errors.js';
import { raw } from './fixtures/mbox.js';
import { decodeRfc2047, parseReferences } from './mail-headers.js';
import { decodeFlowed, parseMessage, synthesiseMessageId } from './parse-message.js';
import { both } from './fixtures/parse-helpers.js';

const HDR = 'From: A U Thor <a@example.com>\nTo: list@vger.kernel.org\nDate: Tue, 30 Aug 2022 11:19:07 -0400\nMessage-ID: <m1@example.com>\n';

describe('RFC 2047 header decoding', () => {
  const cases: [string, string][] = [
    ['=?UTF-8?Q?caf=C3=A9?= au lait', 'café au lait'],
    ['=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?= =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=', 'If you can read this you understand the example.'],
    ['=?utf-8?B?ww==?= =?utf-8?B?qQ==?=', 'é'],
    ['=?utf-8?q?caf=C3?= =?utf-8?q?=A9?=', 'café'],
    ['=?iso-8859-1?q?J=F8rn?= =?utf-8?q?_=E2=82=AC?=', 'Jørn €'],
    ['=?utf-8?q?a?= b =?utf-8?q?c?=', 'a b c'],
    ['=?utf-8?q?a_b?=', 'a b'],
    ['(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)', '(ab)'],
    ['=?utf-8?b?562U5aSN?=: [PATCH] x', '答复: [PATCH] x'],
    ['=?UTF-8*en?Q?hello?=', 'hello'],
    ['no encoded words here =? ?=', 'no encoded words here =? ?='],
    ['=?x-no-such-charset?q?abc?=', '=?x-no-such-charset?q?abc?='],
  ];
  for (const [input, want] of cases) it(JSON.stringify(input), () => expect(decodeRfc2047(input)).toBe(want));

  it('decodes the same way on both parse paths (Subject and From)', async () => {
    for (const [input, want] of cases.slice(0, 10)) {
      const m = await both(raw(`From: =?utf-8?q?J=C3=B8rn_Doe?= <j@example.com>\nSubject: ${input}\nMessage-ID: <x@y>\n\nbody\n`));
      expect(m.subject).toBe(want);
      expect(m.from).toEqual({ name: 'Jørn Doe', address: 'j@example.com' });
    }
  });

  it('unfolds a folded subject and keeps it exactly otherwise', async () => {
    const m = await both(raw(`${HDR}Subject: [PATCH bpf-next v2 02/13] bpf: a very long\n  subject line\n\nbody\n`));
    expect(m.subject).toBe('[PATCH bpf-next v2 02/13] bpf: a very long subject line');
  });
});

describe('headers', () => {
  it('synthesises a stable Message-ID from the bytes when missing', async () => {
    const text = 'From: a@example.com\nSubject: no id\n\nbody\n';
    const a = await both(raw(text));
    const b = await both(raw(text));
    const c = await both(raw(`${text}more\n`));
    expect(a.messageIdSynthesised).toBe(true);
    expect(a.messageId).toMatch(/^[0-9a-f]{20}@bpf-review\.invalid$/);
    expect(a.messageId).toBe(b.messageId);
    expect(a.messageId).not.toBe(c.messageId);
    expect(a.messageId).toBe(synthesiseMessageId(Buffer.from(text)));
  });

  it('strips angle brackets and takes the first id; a fragment without @ is not an id', async () => {
    expect((await both(raw(`Message-Id:   <abc@def.example> (comment)\nSubject: s\n\nb\n`))).messageId).toBe('abc@def.example');
    expect((await both(raw(`Message-Id: bare@id.example\nSubject: s\n\nb\n`))).messageId).toBe('bare@id.example');
    const frag = await both(raw(`Message-Id: 2>\nSubject: s\n\nb\n`));
    expect(frag.messageIdSynthesised).toBe(true);
  });

  it('reads missing headers as null or empty', async () => {
    const m = await both(raw('Subject: only a subject\n\nbody\n'));
    expect(m.from).toBeNull();
    expect(m.to).toEqual([]);
    expect(m.cc).toEqual([]);
    expect(m.date).toBeNull();
    expect(m.inReplyTo).toBeNull();
    expect(m.references).toEqual([]);
    const n = await both(raw('From: a@b.c\n\nbody\n'));
    expect(n.subject).toBe('');
  });

  it('takes the first of duplicated single headers, all of To/Cc/References', async () => {
    const m = await both(
      raw(
        'From: First <first@example.com>\nFrom: Second <second@example.com>\nSubject: one\nSubject: two\nMessage-ID: <a@x>\nMessage-ID: <b@x>\n' +
          'To: t1@example.com\nTo: T Two <t2@example.com>\nCc: c1@example.com, "Doe, Jane" <jane@example.com>\n' +
          'References: <r1@x> <r2@x>\nReferences: <r2@x> <r3@x>\nDate: Tue, 30 Aug 2022 11:19:07 -0400\nDate: Wed, 31 Aug 2022 11:19:07 -0400\n\nbody\n',
      ),
    );
    expect(m.from).toEqual({ name: 'First', address: 'first@example.com' });
    expect(m.subject).toBe('one');
    expect(m.messageId).toBe('a@x');
    expect(m.to).toEqual([{ name: '', address: 't1@example.com' }, { name: 'T Two', address: 't2@example.com' }]);
    expect(m.cc).toEqual([{ name: '', address: 'c1@example.com' }, { name: 'Doe, Jane', address: 'jane@example.com' }]);
    expect(m.references).toEqual(['r1@x', 'r2@x', 'r3@x']);
    expect(m.date).toBe('2022-08-30T15:19:07.000Z');
  });

  it('parses References in order, any separator, duplicates and garbage dropped', () => {
    expect(parseReferences(['<a@x>\n\t<b@x>,<c@x> <a@x>'])).toEqual(['a@x', 'b@x', 'c@x']);
    expect(parseReferences(['a@x b@x, c@x'])).toEqual(['a@x', 'b@x', 'c@x']);
    expect(parseReferences(['<a@x> garbage (comment) <> < > <b@x>'])).toEqual(['a@x', 'b@x']);
    expect(parseReferences(['junk words only'])).toEqual([]);
  });

  it('takes the first <id> of In-Reply-To', async () => {
    const m = await both(raw(`${HDR}Subject: s\nIn-Reply-To: <p@x> (Someone's message of "Mon, 1 Jan")\n\nb\n`));
    expect(m.inReplyTo).toBe('p@x');
    const n = await both(raw(`${HDR}Subject: s\nIn-Reply-To: Your message of Monday\n\nb\n`));
    expect(n.inReplyTo).toBeNull();
  });

  it('keeps selected raw headers under lower-case names', async () => {
    const m = await both(raw(`${HDR}Subject: s\nList-Id: <bpf.vger.kernel.org>\nX-Mailer: git-send-email 2.43.0\nReceived: from x\n\nb\n`));
    expect(m.headers['list-id']).toBe('<bpf.vger.kernel.org>');
    expect(m.headers['x-mailer']).toBe('git-send-email 2.43.0');
    expect(m.headers['received']).toBeUndefined();
  });
});

describe('bodies', () => {
  it('normalises CRLF to LF (and keeps a lone CR)', async () => {
    const m = await both({ source: 'crlf', bytes: Buffer.from(`${HDR.replace(/\n/g, '\r\n')}Subject: s\r\n\r\nline 1\r\nline\r2\r\n`) });
    expect(m.body).toBe('line 1\nline\r2\n');
    expect(m.subject).toBe('s');
  });

  it('decodes quoted-printable patches', async () => {
    const m = await both(raw(`${HDR}Subject: [PATCH] qp\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n+\tif (a =3D=3D b)=\n c();\n+\tx =3D "caf=C3=A9";   \n`));
    expect(m.body).toBe('+\tif (a == b) c();\n+\tx = "café";\n');
  });

  it('decodes base64 bodies in a legacy charset', async () => {
    const latin1 = Buffer.from('Grüße aus Köln\n', 'latin1').toString('base64');
    const m = await both(raw(`${HDR}Subject: b64\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: base64\n\n${latin1}\n`));
    expect(m.body).toBe('Grüße aus Köln\n');
    const cp = Buffer.from([0x93, 0x71, 0x94, 0x20, 0x80, 0x0a]).toString('base64');
    const w = await both(raw(`${HDR}Subject: b64\nContent-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: base64\n\n${cp}\n`));
    expect(w.body).toBe('\u201cq\u201d \u20ac\n');
  });

  it('decodes format=flowed as mailparser does', async () => {
    const m = await both(raw(`${HDR}Subject: f\nContent-Type: text/plain; charset=utf-8; format=flowed\n\nThis is a soft \nwrapped line.\n> quoted soft \n> wrap\n-- \nsig\n`));
    expect(m.body).toBe('This is a soft wrapped line.\n> quoted soft wrap\n-- \nsig');
    expect(decodeFlowed('a \nb', true)).toBe('ab');
  });

  it('lists a text/x-patch attachment with its text and takes the first text part as body', async () => {
    const m = await both(
      raw(
        `${HDR}Subject: [PATCH] attached\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="XX"\n\n--XX\nContent-Type: text/plain; charset=utf-8\n\nSee the patch.\n--XX\n` +
          `Content-Type: text/x-patch; charset=iso-8859-1; name="0001-fix.patch"\nContent-Disposition: attachment; filename="0001-fix.patch"\nContent-Transfer-Encoding: base64\n\n${Buffer.from('--- a/x\n+++ b/x\n@@ -1 +1 @@\n-K\xf6ln\n+Koeln\n', 'latin1').toString('base64')}\n--XX--\n`,
      ),
    );
    expect(m.body).toBe('See the patch.');
    expect(m.attachments).toHaveLength(1);
    expect(m.attachments[0]).toMatchObject({ filename: '0001-fix.patch', contentType: 'text/x-patch', text: '--- a/x\n+++ b/x\n@@ -1 +1 @@\n-Köln\n+Koeln\n' });
  });

  it('reads a .patch sent as application/octet-stream as text', async () => {
    const m = await both(
      raw(
        `${HDR}Subject: [PATCH] octet\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="XX"\n\n--XX\nContent-Type: text/plain\n\nPatch attached.\n--XX\n` +
          `Content-Type: application/octet-stream; name="0001-a.patch"\nContent-Disposition: attachment; filename="0001-a.patch"\n\n--- a/x\n+++ b/x\n--XX\nContent-Type: application/octet-stream; name="blob.bin"\nContent-Transfer-Encoding: base64\n\nAAECAw==\n--XX--\n`,
      ),
    );
    expect(m.attachments.map((a) => [a.filename, a.text, a.size])).toEqual([
      ['0001-a.patch', '--- a/x\n+++ b/x', 15],
      ['blob.bin', null, 4],
    ]);
  });

  it('takes the signed text part of multipart/signed and lists the signature', async () => {
    const m = await both(
      raw(
        `${HDR}Subject: Re: x\nContent-Type: multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary="S"\n\n--S\nContent-Type: text/plain; charset=us-ascii\nContent-Disposition: inline\n\nAcked-by: A U Thor <a@example.com>\n\n--S\nContent-Type: application/pgp-signature; name="signature.asc"\n\n-----BEGIN PGP SIGNATURE-----\nxx\n-----END PGP SIGNATURE-----\n\n--S--\n`,
      ),
    );
    expect(m.body).toBe('Acked-by: A U Thor <a@example.com>\n');
    expect(m.attachments.map((a) => [a.contentType, a.text])).toEqual([['application/pgp-signature', null]]);
  });
});

describe('messages that are not mail', () => {
  const bad: [string, Buffer, RegExp][] = [
    ['empty', Buffer.alloc(0), /empty input/],
    ['blank lines', Buffer.from('\n\n  \r\n'), /empty input/],
    ['binary garbage', Buffer.from(Array.from({ length: 400 }, (_, i) => (i * 7919) % 256)), /no header section|binary data/],
    ['control bytes', Buffer.from(`Subject: x\n${'\x01\x02\x03\x04'.repeat(20)}: y\n\nbody`), /binary data/],
    ['a bare patch', Buffer.from('diff --git a/x b/x\n--- a/x\n+++ b/x\n'), /no header section/],
    ['an mbox From line and then a body', Buffer.from('From nobody Mon Sep 17 00:00:00 2001\n\n---\ndiff --git a/foo b/foo\n'), /no header section/],
    ['headers that are not mail headers', Buffer.from('X-Foo: bar\nX-Bar: baz\n\nbody\n'), /no mail headers/],
  ];
  for (const [name, bytes, reason] of bad) {
    it(`quarantines ${name} with a named reason`, async () => {
      const r = await parseMessage({ source: `fixture:${name}`, bytes });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error).toBeInstanceOf(MalformedMessageError);
      expect(r.error.code).toBe('malformed-message');
      expect(r.error.source).toBe(`fixture:${name}`);
      expect(r.error.message).toMatch(reason);
    });
  }

  it('reads a message with an mbox From line, odd header spacing and no body', async () => {
    const m = await both(raw('From nobody Mon Sep 17 00:00:00 2001\nSubject : spaced\nFrom: a@b.c\n'));
    expect(m.subject).toBe('spaced');
    expect(m.body).toBe('');
  });
});
