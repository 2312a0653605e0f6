import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeShared, sharedPath, sharedRoot } from '../../../test/support/shared-data.js';
import type { Message, RawMessage } from '../../model/message.js';
import { splitMbox } from './fixtures/mbox.js';
import { parseMessage, parseMessageVia } from './parse-message.js';
import { parseMailDate } from './parse-date.js';
import { parseSubject } from './parse-subject.js';
import { both, parsed } from './fixtures/parse-helpers.js';

function walk(d: string, out: string[], ext: RegExp): string[] {
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p, out, ext);
    else if (ext.test(p)) out.push(p);
  }
  return out;
}

/** Every corpus message where the fast path applies: both paths must give equal Messages. */
describeShared('fast path equals mailparser on the corpus', () => {
  it('agrees on every message it takes', async () => {
    const corpus = sharedPath('corpus');
    const inputs: RawMessage[] = walk(corpus, [], /\.eml$/).map((f) => ({ source: f, bytes: readFileSync(f) }));
    for (const f of walk(corpus, [], /\.(mbox|mboxrd)$|\/(sample\.mbox|ref-defaults\.txt)$/)) inputs.push(...splitMbox(f));
    // Fuzzed mails (patchwork) and git's odd samples, whole files.
    for (const f of walk(join(corpus, 'patchwork', 'fuzz'), [], /./)) inputs.push({ source: f, bytes: readFileSync(f) });
    for (const f of walk(join(corpus, 'git-t5100'), [], /\.in$|nul-plain|empty$/)) inputs.push({ source: f, bytes: readFileSync(f) });
    let fast = 0;
    let quarantined = 0;
    for (const r of inputs) {
      const slow = await parseMessageVia(r, 'mailparser');
      const quick = await parseMessageVia(r, 'fast');
      if (!slow.ok) {
        quarantined++;
        expect(quick.ok, r.source).toBe(false);
        continue;
      }
      if (!quick.ok) continue;
      fast++;
      expect(quick.value, r.source).toEqual(slow.value);
    }
    expect(inputs.length).toBeGreaterThan(600);
    expect(fast).toBeGreaterThan(inputs.length * 0.8);
    expect(quarantined).toBeLessThan(15);
  });
});

describeShared('oddities', () => {
  const dir = (name: string): string[] => {
    const d = sharedPath('corpus', 'oddities', name);
    return existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.eml')).map((f) => join(d, f)) : [];
  };
  const load = (f: string): Promise<Message> => parsed({ source: f, bytes: readFileSync(f) });

  it('every oddity parses', async () => {
    const all = readdirSync(sharedPath('corpus', 'oddities')).flatMap((d) => dir(d));
    expect(all.length).toBeGreaterThanOrEqual(25);
    for (const f of all) {
      const m = await load(f);
      expect(m.messageIdSynthesised, f).toBe(false);
      expect(m.from?.address, f).toMatch(/@/);
      expect(m.date, f).not.toBeNull();
      expect(m.body.length, f).toBeGreaterThan(0);
      expect(m.body.includes('\r\n'), f).toBe(false);
    }
  });

  it('base64 text/plain bodies are decoded', async () => {
    for (const f of dir('base64-textplain')) {
      const m = await load(f);
      expect(m.headers['content-transfer-encoding']?.toLowerCase()).toBe('base64');
      expect(m.body, f).not.toMatch(/^[A-Za-z0-9+/=]{60,}$/m);
      expect(m.body, f).toMatch(/ [a-z]+ /);
    }
    expect((await load(dir('base64-textplain')[0] as string)).body).toContain('./scripts/coccicheck report this warning.');
  });

  it('encoded subjects are decoded', async () => {
    for (const f of dir('encoded-subject')) {
      const m = await load(f);
      expect(m.subject).not.toContain('=?');
      expect(parseSubject(m.subject).isPatch).toBe(true);
    }
    expect((await load(dir('encoded-subject')[1] as string)).subject).toBe('答复: [PATCH] selftests/bpf: Fix warning comparing pointer to 0');
  });

  it('non-UTF-8 bodies are decoded right', async () => {
    const [a, b, c] = await Promise.all(dir('non-utf8-charset').map(load));
    expect(a?.headers['content-type']).toMatch(/iso-8859-15/i);
    expect(a?.body).toContain('Toke Høiland-Jørgensen <toke@redhat.com> wrote:');
    expect(b?.body).toMatch(/Koutn[ýy]/);
    expect(c?.headers['content-type']).toMatch(/gb2312/i);
    expect(c?.body).toContain('发件人: Martin KaFai Lau <kafai@fb.com>');
    for (const m of [a, b, c]) expect(m?.body).not.toContain('\ufffd');
  });

  it('odd reply prefixes are read as replies', async () => {
    const subjects = (await Promise.all(dir('odd-re-prefix').map(load))).map((m) => m.subject);
    expect(subjects.map((s) => s.split('[')[0]?.trim())).toEqual(['RE: RE:', 'Re: RE:', '答复:']);
    for (const s of subjects) {
      const p = parseSubject(s);
      expect(p.isReply, s).toBe(true);
      expect(p.isPatch, s).toBe(true);
    }
  });

  it('multipart/mixed mail gives its text part as body', async () => {
    for (const f of dir('multipart-mixed')) {
      const m = await load(f);
      expect(m.headers['content-type']).toMatch(/multipart\/mixed/);
      expect(m.body).not.toMatch(/^--=+\d+/m);
      expect(m.body).not.toMatch(/^Content-Type:/im);
      expect(m.body).toMatch(/^> /m);
    }
  });

  it('multipart/signed mail gives the signed text as body and lists the signature', async () => {
    for (const f of dir('multipart-signed')) {
      const m = await load(f);
      expect(m.body).toMatch(/wrote:\n/);
      expect(m.body).not.toContain('BEGIN PGP SIGNATURE');
      expect(m.attachments.map((a) => a.contentType)).toContain('application/pgp-signature');
    }
  });

  it('In-Reply-To without References is read', async () => {
    for (const f of dir('irt-no-refs')) {
      const m = await load(f);
      expect(m.references).toEqual([]);
      expect(m.inReplyTo).toMatch(/@/);
      expect(parseSubject(m.subject).isReply).toBe(true);
    }
  });

  it('body lines starting with From are kept', async () => {
    for (const f of [...dir('body-From-line'), ...dir('body-gtFrom-line')]) {
      const m = await load(f);
      expect(m.body, f).toMatch(/^>*From /m);
    }
  });

  it('a git binary patch is in the body as text', async () => {
    const m = await load(dir('git-binary-patch')[0] as string);
    expect(m.body).toContain('GIT binary patch');
    expect(parseSubject(m.subject)).toMatchObject({ tree: 'net-next', counter: 1, total: 5 });
  });
});

describeShared('public-inbox test mails', () => {
  const d = sharedRoot ? sharedPath('corpus', 'public-inbox-t') : '';
  const load = (name: string): Promise<Message> => parsed({ source: name, bytes: readFileSync(join(d, name)) });

  it('every .eml parses; bare patches without headers are quarantined', async () => {
    for (const f of readdirSync(d)) {
      const r = await parseMessage({ source: f, bytes: readFileSync(join(d, f)) });
      if (f === 'solve_bare.patch') {
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error.message).toMatch(/no header section/);
      } else {
        expect(r.ok, f).toBe(true);
      }
    }
  });

  it('iso-2022-jp body is decoded', async () => {
    const m = await load('iso-2202-jp.eml');
    expect(m.body).toContain('今はフリー');
    expect(m.subject).toBe('[ruby-dev:4]');
  });

  it('UTF-8 headers and body', async () => {
    const m = await load('utf8.eml');
    expect(m.subject).toBe('Testing for Eléanor');
    expect(m.from).toEqual({ name: 'Eléanor', address: 'e@example.com' });
    expect(m.body).toContain('Eléanor');
  });

  it('an inline text/plain patch part with a filename is an attachment with its text', async () => {
    const m = await load('plack-attached-patch.eml');
    expect(m.body).toBe('hi, see attached');
    expect(m.attachments).toEqual([{ filename: 'foo&.patch', contentType: 'text/plain', text: '--- a/file\n+++ b/file\n@@ -49, 7 +49,34 @@\n', size: 42 }]);
  });

  it('two text bodies: the first is the body, the second is kept as a text part', async () => {
    const m = await load('plack-2-txt-bodies.eml');
    expect(m.body).toBe('hi');
    expect(m.attachments.map((a) => a.text)).toEqual(['bye']);
  });

  it('text attachments with filenames', async () => {
    const m = await load('search-amsg.eml');
    expect(m.attachments.map((a) => [a.filename, a.text])).toEqual([
      ['attached_fart.txt', 'inside the attachment'],
      ['part_deux.txt', 'inside another'],
    ]);
  });

  it('quoted-printable and X-UNKNOWN charsets', async () => {
    expect((await load('plack-qp.eml')).body).toBe('hi = bye');
    expect((await load('x-unknown-alpine.eml')).body).toContain('• bullet point');
  });

  it('an embedded message/rfc822 is listed as an attachment', async () => {
    const m = await load('data_message_embed.eml');
    expect(m.body).toBe('testing embedded message harder\n');
    expect(m.attachments.map((a) => a.contentType)).toEqual(['message/rfc822']);
  });

  it('git format-patch files parse as mail', async () => {
    const m = await load('data_0001.patch');
    expect(parseSubject(m.subject).isPatch).toBe(true);
    expect(m.body).toMatch(/^diff --git /m);
  });
});

/**
 * git's t5100 (mailinfo) samples. git's expected info000N has Author, Email, Subject
 * (after git's subject cleanup) and Date. Messages where git takes them from in-body
 * headers (a From:/Subject:/Date: at the top of the body, or after a scissors line) are
 * not comparable: that is patch-body parsing, not header parsing.
 * Where git and we differ by design: git keeps address comments in the author name
 * ("A (zzz) U Thor (Comment)"), mailparser drops them ("A U Thor"); git strips every
 * leading [...] group and re: (also "[Navy-patches] [PATCH]"), b4 and we do the same for
 * the title but keep the tags, and we also read Fwd:/AW:/答复: which git leaves.
 */
describeShared('git t5100 mailinfo samples', () => {
  const d = sharedRoot ? sharedPath('corpus', 'git-t5100') : '';
  const IN_BODY = new Set([3, 9, 10, 14, 15, 16, 18]);
  const info = (file: string): Record<string, string> =>
    Object.fromEntries(
      readFileSync(join(d, file), 'utf8')
        .split('\n')
        .filter((l) => l.includes(': '))
        .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
    );

  it('sample.mbox: author, email, subject and date agree with git', async () => {
    const msgs = splitMbox(join(d, 'sample.mbox'));
    expect(msgs).toHaveLength(18);
    let compared = 0;
    for (const [i, r] of msgs.entries()) {
      const n = i + 1;
      const m = await both(r);
      if (IN_BODY.has(n)) continue;
      const want = info(`info${String(n).padStart(4, '0')}`);
      expect(m.from?.address, `msg ${n}`).toBe(want.Email);
      expect(m.from?.name, `msg ${n}`).toBe((want.Author ?? '').replace(/\s*\([^)]*\)/g, '').trim());
      expect(parseSubject(m.subject).title, `msg ${n}`).toBe(want.Subject);
      expect(m.date, `msg ${n}`).toBe(parseMailDate(want.Date ?? null));
      compared++;
    }
    expect(compared).toBe(11);
  });

  it('rfc2047-samples.mbox: decoded names and subjects agree with git', async () => {
    const msgs = splitMbox(join(d, 'rfc2047-samples.mbox'));
    expect(msgs).toHaveLength(11);
    for (const [i, r] of msgs.entries()) {
      const m = await both(r);
      const want = info(`rfc2047-info-${String(i + 1).padStart(4, '0')}`);
      expect(parseSubject(m.subject).title, `sample ${i + 1}`).toBe(want.Subject);
      if (want.Email) expect(m.from?.address).toBe(want.Email);
      // Sample 4 has its name in a comment with an encoded word: git keeps it, mailparser drops comments.
      if (want.Author) expect(m.from?.name).toBe(want.Author.replace(/\s*\([^)]*\)/g, ''));
    }
  });

  it('mboxrd and quoted CR samples', async () => {
    const q = await both(splitMbox(join(d, 'quoted-cr.mbox'))[0] as RawMessage);
    const qi = info('quoted-cr-info');
    expect(q.from?.address).toBe(qi.Email);
    expect(parseSubject(q.subject).title).toBe(qi.Subject);
    expect(q.body).toContain('On different distro, \rpytest is suffixed');
    const rd = await both(splitMbox(join(d, 'sample.mboxrd'))[0] as RawMessage);
    expect(rd.subject.length).toBeGreaterThan(0);
  });

  it('the empty sample and a NUL-filled non-mail are quarantined', async () => {
    for (const f of ['empty', 'nul-plain']) {
      const r = await parseMessage({ source: f, bytes: readFileSync(join(d, f)) });
      expect(r.ok, f).toBe(false);
    }
    const nul = await both({ source: 'nul-b64.in', bytes: readFileSync(join(d, 'nul-b64.in')) });
    expect(nul.subject).toBe('[PATCH] second');
    expect(nul.body).toContain('\u0000');
  });
});

describeShared('patchwork fuzz mails', () => {
  it('never throw; each parses or is quarantined with a reason', async () => {
    const d = sharedPath('corpus', 'patchwork', 'fuzz');
    const files = readdirSync(d);
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      for (const path of ['auto', 'mailparser'] as const) {
        const r = await parseMessageVia({ source: f, bytes: readFileSync(join(d, f)) }, path);
        if (r.ok) {
          expect(r.value.messageId.length).toBeGreaterThan(0);
          expect(r.value.subject).not.toContain('\u0000');
        } else {
          expect(r.error.message.length).toBeGreaterThan(10);
        }
      }
    }
  });
});

