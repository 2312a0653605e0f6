import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeShared, sharedPath } from '../../../test/support/shared-data.js';
import type { Message } from '../../model/message.js';
import type { Trailer } from '../../model/trailer.js';
import { splitMbox } from './fixtures/mbox.js';
import { parseMessage } from './parse-message.js';
import { parseSubject } from './parse-subject.js';
import { extractFollowupTrailers, parsePerson, parseTrailerLine, splitTrailerBlock } from './parse-trailers.js';

const show = (t: Trailer): string => `${t.name}: ${t.value}`;

describe('parseTrailerLine', () => {
  it('recognises known names case-insensitively and gives the canonical spelling', () => {
    expect(parseTrailerLine('signed-off-by: A U Thor <a@example.com>')).toEqual({
      name: 'Signed-off-by',
      value: 'A U Thor <a@example.com>',
      person: { name: 'A U Thor', address: 'a@example.com' },
    });
    expect(parseTrailerLine('ACKED-BY: X <x@y.org>')?.name).toBe('Acked-by');
    expect(parseTrailerLine('reviewed-by: X <x@y.org>')?.name).toBe('Reviewed-by');
    expect(parseTrailerLine('Tested-By: X <x@y.org>')?.name).toBe('Tested-by');
    expect(parseTrailerLine('reported-by: syzbot+1234@syzkaller.appspotmail.com')?.person).toEqual({
      name: '',
      address: 'syzbot+1234@syzkaller.appspotmail.com',
    });
    expect(parseTrailerLine('CC: Someone <s@x.org>')?.name).toBe('Cc');
    expect(parseTrailerLine('Co-Developed-By: D <d@x.org>')?.name).toBe('Co-developed-by');
  });

  it('accepts any Xxx-by: form', () => {
    const t = parseTrailerLine('Bisected-and-fixed-by: B <b@x.org>');
    expect(t?.name).toBe('Bisected-and-fixed-by');
    expect(t?.person?.address).toBe('b@x.org');
  });

  it('reads Fixes, Link, Closes without a person', () => {
    expect(parseTrailerLine('Fixes: 0123456789ab ("bpf: fix the thing")')).toEqual({
      name: 'Fixes',
      value: '0123456789ab ("bpf: fix the thing")',
      person: null,
    });
    expect(parseTrailerLine('link: https://lore.kernel.org/r/123@x')).toEqual({ name: 'Link', value: 'https://lore.kernel.org/r/123@x', person: null });
    expect(parseTrailerLine('Closes: https://bugzilla.kernel.org/1')?.person).toBeNull();
  });

  it('parses the person forms', () => {
    expect(parseTrailerLine('Cc: stable@vger.kernel.org # 6.1+')?.person).toEqual({ name: '', address: 'stable@vger.kernel.org' });
    expect(parseTrailerLine('Cc: <stable@vger.kernel.org> # v5.10+')?.person).toEqual({ name: '', address: 'stable@vger.kernel.org' });
    expect(parsePerson('"Doe, Jane" <jane@example.com>')).toEqual({ name: 'Doe, Jane', address: 'jane@example.com' });
    expect(parsePerson('Followup Reviewer1 (corporate) <r1@example.com>')).toEqual({ name: 'Followup Reviewer1 (corporate)', address: 'r1@example.com' });
    expect(parsePerson('Tester2, Followup <t2@example.com>')).toEqual({ name: 'Tester2, Followup', address: 't2@example.com' });
    expect(parsePerson('HTML Junker <h@example.com<mailto:h@example.com>>')).toEqual({ name: 'HTML Junker', address: 'h@example.com' });
    expect(parsePerson('Wrapped Persontrailer')).toBeNull();
  });

  it('rejects prose, headers, empty values and indented lines', () => {
    expect(parseTrailerLine('This is: not a trailer')).toBeNull();
    expect(parseTrailerLine('Subject: hello')).toBeNull();
    expect(parseTrailerLine('Signed-off-by:')).toBeNull();
    expect(parseTrailerLine('  Signed-off-by: A <a@b.c>')).toBeNull();
    expect(parseTrailerLine('Note: see below')).toBeNull();
  });
});

describe('splitTrailerBlock', () => {
  it('takes the last paragraph of trailer lines', () => {
    const r = splitTrailerBlock('Fix the bug.\n\nMore words: here.\n\nFixes: abcdef012345 ("x")\nSigned-off-by: A <a@b.c>\n');
    expect(r.message).toBe('Fix the bug.\n\nMore words: here.');
    expect(r.trailers.map(show)).toEqual(['Fixes: abcdef012345 ("x")', 'Signed-off-by: A <a@b.c>']);
    expect(r.trailerStartLine).toBe(5);
  });

  it('stops at the --- divider', () => {
    const r = splitTrailerBlock('Msg.\n\nSigned-off-by: A <a@b.c>\n---\n v2: Acked-by: nobody\n\ndiff --git a/x b/x\n');
    expect(r.trailers.map(show)).toEqual(['Signed-off-by: A <a@b.c>']);
  });

  it('allows custody [ ] lines and continuation lines next to a Signed-off-by', () => {
    const r = splitTrailerBlock(
      'Msg.\n\nReviewed-by: R <r@x.org>\n[ fixed up the comment ]\nTested-by: T <t@x.org>\n   [visually indented note]\nSigned-off-by: M <m@x.org>\n',
    );
    expect(r.trailers.map(show)).toEqual(['Reviewed-by: R <r@x.org>', 'Tested-by: T <t@x.org>', 'Signed-off-by: M <m@x.org>']);
  });

  it('joins a wrapped person trailer (b4 fix-up) and folded values', () => {
    const r = splitTrailerBlock('Msg.\n\nSigned-off-by: Wrapped Persontrailer\n<broken@example.com>\nLink: https://x/\n  continued\n');
    expect(r.trailers.map(show)).toEqual(['Signed-off-by: Wrapped Persontrailer <broken@example.com>', 'Link: https://x/ continued']);
    expect(r.trailers[0]?.person).toEqual({ name: 'Wrapped Persontrailer', address: 'broken@example.com' });
  });

  it('is not fooled by a prose paragraph ending the message', () => {
    const r = splitTrailerBlock('Msg.\n\nThis changes things so that\nthe verifier is happy.\n');
    expect(r.trailers).toEqual([]);
    expect(r.trailerStartLine).toBeNull();
  });

  it('needs a Signed-off-by to accept a mixed paragraph, and at least 25% trailer lines', () => {
    expect(splitTrailerBlock('Msg.\n\nsome words\nReviewed-by: R <r@x.org>\n').trailers).toEqual([]);
    expect(splitTrailerBlock('Msg.\n\nsome words\nSigned-off-by: R <r@x.org>\n').trailers.map(show)).toEqual(['Signed-off-by: R <r@x.org>']);
    expect(splitTrailerBlock('Msg.\n\na\nb\nc\nd\ne\nSigned-off-by: R <r@x.org>\n').trailers).toEqual([]);
  });

  it('treats the start of the text as a paragraph break (the subject is not in the text)', () => {
    expect(splitTrailerBlock('Signed-off-by: A <a@b.c>\n').trailers.map(show)).toEqual(['Signed-off-by: A <a@b.c>']);
  });
});

describe('extractFollowupTrailers', () => {
  const sender = { name: 'Rev Iewer', address: 'rev@example.com' };
  it('keeps the sender’s own trailers and drops quoted and foreign ones', () => {
    const body = '> Signed-off-by: Author <a@x.org>\n> Reviewed-by: Other <o@x.org>\n\nLooks good.\n\nReviewed-by: Rev Iewer <rev@example.com>\nAcked-by: Someone Else <else@example.com>\n';
    expect(extractFollowupTrailers(body, sender).map(show)).toEqual(['Reviewed-by: Rev Iewer <rev@example.com>']);
  });

  it('matches by address ignoring +tags and one subdomain level, or by name', () => {
    expect(extractFollowupTrailers('Acked-by: R <rev+kernel@example.com>', sender)).toHaveLength(1);
    expect(extractFollowupTrailers('Acked-by: R <rev@mail.example.com>', sender)).toHaveLength(1);
    expect(extractFollowupTrailers('Acked-by: Rev Iewer <other@corp.com>', sender)).toHaveLength(1);
    expect(extractFollowupTrailers('Acked-by: R <rev@a.b.example.com>', sender)).toHaveLength(0);
    expect(extractFollowupTrailers('Acked-by: Iewer, Rev <x@y.z>', { name: 'Iewer, Rev', address: 'q@w.e' })).toHaveLength(1);
  });

  it('ignores trailers below the signature and in quoted patches, and takes none without a sender', () => {
    expect(extractFollowupTrailers('Hi\n-- \nReviewed-by: Rev Iewer <rev@example.com>\n', sender)).toEqual([]);
    expect(extractFollowupTrailers('Reviewed-by: Rev Iewer <rev@example.com>\n', null)).toEqual([]);
    expect(extractFollowupTrailers('diff --git a/x b/x\nReviewed-by: Rev Iewer <rev@example.com>\n', sender)).toEqual([]);
    expect(extractFollowupTrailers('v2 of the fix:\n\nSigned-off-by: Rev Iewer <rev@example.com>\n\ndiff --git a/x b/x\n', sender)).toEqual([]);
    expect(extractFollowupTrailers('Applied.\n\nSigned-off-by: Rev Iewer <rev@example.com>\n---\n x | 1 +\n\ndiff --git a/x b/x\n', sender)).toEqual([]);
    expect(extractFollowupTrailers('> diff --git a/x b/x\n> +x\n\nReviewed-by: Rev Iewer <rev@example.com>\n', sender)).toHaveLength(1);
  });

  it('stops at an Outlook-style copy of the original message', () => {
    const body = 'Acked-by: Rev Iewer <rev@example.com>\n________________________________________\nFrom: Author <a@x.org>\n\nFixes: 0123456789ab ("a")\nSigned-off-by: Rev Iewer <rev@example.com>\n';
    expect(extractFollowupTrailers(body, sender).map(show)).toEqual(['Acked-by: Rev Iewer <rev@example.com>']);
    expect(extractFollowupTrailers(body.replace(/_+/, '-----Original Message-----'), sender)).toHaveLength(1);
  });

  it('keeps Fixes given in a reply and joins a wrapped address', () => {
    const got = extractFollowupTrailers('Fixes: 0123456789ab ("a")\nReviewed-by: Rev Iewer\n<rev@example.com>\n', sender).map(show);
    expect(got).toEqual(['Fixes: 0123456789ab ("a")', 'Reviewed-by: Rev Iewer <rev@example.com>']);
  });
});

/** b4's follow-up trailer samples: the trailers b4 adds (its `-ref-defaults.txt` output minus the original ones). */
describeShared('follow-up trailers against b4 test data', () => {
  const dir = sharedPath('corpus', 'b4');
  const cases = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /^trailers-followup-.*-ref-defaults\.txt$/.test(f))
        .map((f) => f.replace(/-ref-defaults\.txt$/, ''))
        .filter((name) => existsSync(`${dir}/${name}.mbox`))
    : [];

  it('has the samples', () => {
    expect(cases.length).toBeGreaterThanOrEqual(9);
  });

  const key = (t: Trailer): string => `${t.name}: ${t.value}`.toLowerCase();
  const minus = (a: Trailer[], b: Trailer[]): Trailer[] => {
    const rest = b.map(key);
    return a.filter((t) => {
      const i = rest.indexOf(key(t));
      if (i >= 0) {
        rest.splice(i, 1);
        return false;
      }
      return true;
    });
  };
  const isDiff = (m: Message): boolean => /^(diff --git |--- a\/)/m.test(m.body);

  for (const name of cases) {
    it(name, async () => {
      const msgs: Message[] = [];
      for (const r of splitMbox(`${dir}/${name}.mbox`)) {
        const p = await parseMessage(r);
        expect(p.ok).toBe(true);
        if (p.ok) msgs.push(p.value);
      }
      const byId = new Map(msgs.map((m) => [m.messageId, m]));
      const isOriginal = (m: Message): boolean => isDiff(m) || (parseSubject(m.subject).counter === 0 && !parseSubject(m.subject).isReply);
      /** The patch or cover a reply is about: up the In-Reply-To chain. */
      const target = (m: Message): Message | null => {
        let cur: Message | undefined = m;
        for (let i = 0; cur && i < 20; i++) {
          if (isOriginal(cur)) return cur;
          cur = cur.inReplyTo ? byId.get(cur.inReplyTo) : undefined;
        }
        return null;
      };
      const given = new Map<string, Trailer[]>();
      for (const m of msgs) {
        if (isOriginal(m)) continue;
        const t = target(m);
        if (!t) continue;
        given.set(t.messageId, [...(given.get(t.messageId) ?? []), ...extractFollowupTrailers(m.body, m.from)]);
      }
      const expected = splitMbox(`${dir}/${name}-ref-defaults.txt`);
      expect(expected.length).toBeGreaterThan(0);
      for (const e of expected) {
        const p = await parseMessage(e);
        if (!p.ok) throw new Error(p.error.message);
        const want = p.value;
        const orig = byId.get(want.messageId);
        expect(orig, want.messageId).toBeDefined();
        if (!orig) continue;
        const origTrailers = splitTrailerBlock(orig.body).trailers;
        const wantAdded = minus(splitTrailerBlock(want.body).trailers, origTrailers).filter((t) => t.person?.address !== 'test-override@example.com');
        const cover = orig.references.map((id) => byId.get(id)).find((m) => m && parseSubject(m.subject).counter === 0);
        const got = minus([...(given.get(orig.messageId) ?? []), ...(cover ? given.get(cover.messageId) ?? [] : [])], origTrailers);
        expect(got.map(show).sort(), `${name} ${want.messageId}`).toEqual(wantAdded.map(show).sort());
      }
    });
  }
});

/**
 * lkml5ws real_cases: the -by trailers it expects for each mail. One difference by design:
 * 3383.eml is a git commit notification whose Signed-off-by sits in indented `git log`
 * output, which lkml5ws scans and we do not (it is not a patch's trailer block).
 */
describeShared('trailer blocks against lkml5ws real_cases', () => {
  const dir = sharedPath('corpus', 'lkml5ws-parser-tests', 'real_cases');
  const cases = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.eml')).map((f) => f.replace(/\.eml$/, '')) : [];
  it('has the cases', () => expect(cases.length).toBeGreaterThanOrEqual(5));
  for (const n of cases) {
    it(n, async () => {
      const { readFileSync } = await import('node:fs');
      const r = await parseMessage({ source: n, bytes: readFileSync(`${dir}/${n}.eml`) });
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      const pytest = readFileSync(`${dir}/${n}.trailers.pytest`, 'utf8');
      const want = [...pytest.matchAll(/"attribution":\s*"([^"]+)",\s*"identification":\s*"([^"]+)"/g)].map((m) => `${m[1]}: ${m[2]}`);
      const got = splitTrailerBlock(r.value.body).trailers.filter((t) => /-by$/.test(t.name)).map(show);
      if (n === '3383') {
        expect(want).toEqual(['Signed-off-by: David Teigland <teigland@redhat.com>']);
        expect(got).toEqual([]);
      } else {
        expect(got).toEqual(want);
      }
    });
  }
});

describeShared('follow-up trailers in real BPF list replies', () => {
  const root = sharedPath('corpus', 'bpf-list-threads');
  const load = async (rel: string): Promise<Message> => {
    const { readFileSync } = await import('node:fs');
    const r = await parseMessage({ source: rel, bytes: readFileSync(`${root}/${rel}`) });
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  };
  it('an ack from its sender', async () => {
    const m = await load('PATCH-bpf-next-v3-00-11-bpf-Mitigate-Spectre-v1-using-barriers/013-re-PATCH-bpf-next-v3-01-11-selftests-bpf-Fix-caps-for-xlated-jited-unp.eml');
    expect(extractFollowupTrailers(m.body, m.from).map(show)).toEqual(['Acked-by: Kumar Kartikeya Dwivedi <memxor@gmail.com>']);
  });
  it('an ack by name from another address of the sender (b4 accepts it)', async () => {
    const m = await load('PATCH-bpf-next-0-5-bpf-implement-variadic-printk-helper/008-re-PATCH-bpf-next-1-5-bpf-merge-printk-and-seq-printf-VARARG-max-macro.eml');
    expect(m.from?.address).toBe('andrii.nakryiko@gmail.com');
    expect(extractFollowupTrailers(m.body, m.from).map(show)).toEqual(['Acked-by: Andrii Nakryiko <andrii@kernel.org>']);
  });
  it('none from a maintainer replying with the applied patch', async () => {
    const m = await load('PATCH-v3-bpf-next-00-11-bpf-cgroup-Add-BPF-support-for-cgroup1-hierarc/038-re-PATCH-v3-bpf-next-05-11-cgroup-Add-a-new-helper-for-cgroup1-hierarc.eml');
    expect(m.body).toContain('Signed-off-by: Tejun Heo <tj@kernel.org>');
    expect(extractFollowupTrailers(m.body, m.from)).toEqual([]);
  });
});

describeShared('trailer blocks of the BPF list patches', () => {
  it('every patch has its Signed-off-by, except where a "--" line (not "---") puts the changelog into the commit message', async () => {
    const { readFileSync } = await import('node:fs');
    const root = sharedPath('corpus', 'bpf-list-threads');
    let patches = 0;
    const without: string[] = [];
    for (const d of readdirSync(root).filter((x) => !x.includes('.'))) {
      for (const f of readdirSync(`${root}/${d}`).filter((x) => x.endsWith('.eml'))) {
        const r = await parseMessage({ source: f, bytes: readFileSync(`${root}/${d}/${f}`) });
        if (!r.ok) continue;
        const s = parseSubject(r.value.subject);
        if (s.isReply || !s.counter) continue;
        patches++;
        const block = splitTrailerBlock(r.value.body);
        if (block.trailers.some((t) => t.name === 'Signed-off-by' && t.person?.address.includes('@'))) {
          expect(block.trailerStartLine).not.toBeNull();
          expect(block.message.length).toBeGreaterThan(0);
        } else {
          // git interpret-trailers sees no trailer block either: the last paragraph is the changelog.
          expect(r.value.body).toMatch(/^Signed-off-by: .*\n\n--\n/m);
          without.push(f);
        }
      }
    }
    expect(patches).toBeGreaterThan(200);
    expect(without.sort()).toEqual(['004-PATCH-bpf-next-v9-16-23-HID-bpf-introduce-hid-hw-request.eml', '014-PATCH-bpf-next-v10-16-23-HID-bpf-introduce-hid-hw-request.eml']);
  });
});

describeShared('b4 trailer parsing samples', () => {
  const load = async (name: string): Promise<Message> => {
    const { readFileSync } = await import('node:fs');
    const r = await parseMessage({ source: name, bytes: readFileSync(sharedPath('corpus', 'b4', name)) });
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  };
  it('trailers-test-simple', async () => {
    const t = splitTrailerBlock((await load('trailers-test-simple.txt')).body).trailers;
    expect(t.map(show)).toEqual([
      'Reported-by: "Doe, Jane" <jane@example.com>',
      'Reviewed-by: Bogus Bupkes <bogus@example.com>',
      'Fixes: abcdef01234567890',
      'Link: https://msgid.link/some@msgid.here',
    ]);
    expect(t[0]?.person).toEqual({ name: 'Doe, Jane', address: 'jane@example.com' });
  });
  it('trailers-test-extinfo: custody notes, indented notes, comments, a wrapped address', async () => {
    const t = splitTrailerBlock((await load('trailers-test-extinfo.txt')).body).trailers;
    expect(t.map(show)).toEqual([
      'Reported-by: Some, One <somewhere@example.com>',
      'Reviewed-by: Bogus Bupkes <bogus@example.com>',
      'Fixes: abcdef01234567890',
      'Tested-by: Some Person <bogus2@example.com>',
      'Link: https://msgid.link/some@msgid.here  # initial submission',
      'Signed-off-by: Wrapped Persontrailer <broken@example.com>',
    ]);
    expect(t.map((x) => x.person?.address ?? null)).toEqual(['somewhere@example.com', 'bogus@example.com', null, 'bogus2@example.com', null, 'broken@example.com']);
  });
});
