import { describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { renderReplies, toMbox, type RenderContext } from '../../../src/report/email/index.js';
import { BOT, finding, patchOf, reviewOf, seriesOf } from '../support/build-series.js';
import { FIXTURE_BODY, fixtureMessage, JANE } from '../support/fixture-patch.js';
import type { Message } from '../../../src/model/index.js';

const msg = fixtureMessage();
const patch = { ...patchOf(msg), counter: 2 };
const cover: Message = fixtureMessage({
  messageId: '20240101000000.1-0-jane@example.org',
  inReplyTo: null,
  references: [],
  subject: '[PATCH bpf-next 0/3] bpf: Hand kfunc arguments over',
  body: 'Cover text.',
});
const series = seriesOf([patch], { cover, total: 3 });
const ctx: RenderContext = {
  messages: new Map([[msg.messageId, msg], [cover.messageId, cover]]),
  from: BOT,
  date: new Date(Date.UTC(2024, 0, 1, 12, 30, 5)),
  messageIdDomain: 'bpf-review.example',
  reportUrl: 'https://bpf-review.example/r/1',
};
const f = (over: Parameters<typeof finding>[0]) => finding({ patch: 2, messageId: msg.messageId, ...over });

const flagFinding = f({
  ruleId: 'kf-flag-meaningless-alone',
  severity: 'warning',
  file: 'include/linux/btf.h',
  line: 13,
  message: 'KF_HANDOVER is only meaningful together with KF_RELEASE, and no kfunc uses it alone. Could the kfuncs that need it be special-cased in the verifier instead of adding a flag?',
  source: 'Documentation/bpf/kfuncs.rst, "KF_RELEASE flag"',
});
const nullFinding = f({
  ruleId: 'null-check-wrong-variable',
  severity: 'error',
  file: 'kernel/bpf/helpers.c',
  line: 204,
  message: 'rec is assigned from demo_record(p), but the next line tests p, which was already used. The check should test rec.',
});

function text(raw: Buffer): string {
  return raw.toString('utf8');
}
function bodyOf(raw: Buffer): string {
  const s = text(raw);
  return s.slice(s.indexOf('\r\n\r\n') + 4);
}

describe('renderReplies', () => {
  it('answers the patch with Re: its exact subject, threaded under it, parsed back intact', async () => {
    const [r] = renderReplies(series, reviewOf(series, [flagFinding, nullFinding]), ctx);
    expect(r).toBeDefined();
    const parsed = await simpleParser(r!.raw);
    expect(parsed.subject).toBe(`Re: ${msg.subject}`);
    expect(parsed.inReplyTo).toBe(`<${msg.messageId}>`);
    expect(parsed.references).toEqual([`<${cover.messageId}>`, `<${msg.messageId}>`]);
    expect(parsed.messageId).toBe(`<${r!.messageId}>`);
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value.map((a) => a.address) : []).toEqual(['jane@example.org']);
    // reply-all without the author and without ourselves
    expect(parsed.cc && !Array.isArray(parsed.cc) ? parsed.cc.value.map((a) => a.address) : []).toEqual(['bpf@vger.kernel.org', 'ast@kernel.org', 'quiet@example.net']);
    expect(text(r!.raw)).toMatch(/^Content-Type: text\/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n/m);
    expect(text(r!.raw)).not.toMatch(/quoted-printable|base64/i);
    // headers fold only before spaces, so the subject header unfolds to the exact value
    const subjectHeader = /^Subject: (.*(?:\r\n .*)*)/m.exec(text(r!.raw))![1]!;
    expect(subjectHeader.replace(/\r\n/g, '')).toBe(`Re: ${msg.subject}`);
    for (const line of text(r!.raw).split('\r\n')) if (!line.startsWith('>')) expect(line.length).toBeLessThanOrEqual(78);
  });

  it('quotes only the hunks with findings and writes the comment under the line', () => {
    const [r] = renderReplies(series, reviewOf(series, [nullFinding, flagFinding]), ctx);
    const body = bodyOf(r!.raw).split('\r\n');
    const flagAt = body.indexOf('> +#define KF_HANDOVER\t(1 << 3) /* kfunc hands its argument over */');
    expect(flagAt).toBeGreaterThan(0);
    expect(body[flagAt + 1]).toBe('');
    expect(body[flagAt + 2]).toMatch(/^KF_HANDOVER is only meaningful together with KF_RELEASE/);
    expect(body).toContain('> diff --git a/include/linux/btf.h b/include/linux/btf.h');
    expect(body).toContain('> +++ b/kernel/bpf/helpers.c');
    // the first helpers.c hunk has no finding: it is not quoted
    expect(body.join('\n')).not.toContain('int d = 5');
    // the second hunk is, preceded by an elision marker since hunk 1 was skipped
    const at = body.indexOf('> @@ -200,6 +200,13 @@ static int demo_two(struct demo *p)');
    expect(body[at - 1]).toBe('[ ... ]');
    const ifp = body.indexOf('> +\tif (!p)');
    expect(ifp).toBeGreaterThan(at);
    expect(body[ifp + 2]).toMatch(/^rec is assigned from demo_record\(p\)/);
    // lines after the finding are elided; no trailer or approval anywhere
    expect(body.join('\n')).not.toContain('return demo_more');
    expect(body.join('\n')).not.toMatch(/^(Acked|Reviewed|Tested)-by:/m);
    expect(body.filter((l) => l === '[ ... ]').length).toBeGreaterThanOrEqual(2);
    expect(body.slice(-5, -1)).toEqual([
      '-- ',
      'bpf-review, an automated reviewer for BPF patches. It does not ack or nack;',
      'if a point is wrong, reply on the list and say why.',
      'Full report: https://bpf-review.example/r/1',
    ]);
  });

  it('phrases by severity: warnings ask, info says it is not a bug, sources are cited', () => {
    const info = f({ ruleId: 'align', severity: 'info', file: 'include/linux/btf.h', line: 13, message: 'The new define is not aligned with the block.' });
    const warn = f({ ruleId: 'w', severity: 'warning', file: null, line: null, message: 'There is no selftest for the new flag', source: 'tools/testing/selftests/bpf' });
    const [r] = renderReplies(series, reviewOf(series, [info, warn]), ctx);
    const body = bodyOf(r!.raw);
    expect(body).toContain("This isn't a bug, but the new define is not aligned with the block.");
    expect(body).toContain('There is no selftest for the new flag. Is that intended?\r\n\r\nSee tools/testing/selftests/bpf.');
  });

  it('never mails internal errors; series points go to the cover letter, or to patch 1 without one', () => {
    const crash = f({ ruleId: 'internal-error', severity: 'error', message: 'rule x crashed' });
    expect(renderReplies(series, reviewOf(series, [crash]), ctx)).toEqual([]);
    const seriesPoint = f({ ruleId: 'no-selftests', patch: 0, messageId: series.id, message: 'The series changes the verifier but adds no selftest.' });
    const [toCover] = renderReplies(series, reviewOf(series, [seriesPoint, crash]), ctx);
    expect(toCover!.inReplyTo).toBe(cover.messageId);
    expect(toCover!.subject).toBe(`Re: ${cover.subject}`);
    expect(toCover!.references).toEqual([cover.messageId]);
    expect(toCover!.patchCounter).toBe(0);
    const noCover = seriesOf([{ ...patch, counter: 1 }]);
    const [toFirst] = renderReplies(noCover, reviewOf(noCover, [{ ...seriesPoint }]), ctx);
    expect(toFirst!.inReplyTo).toBe(msg.messageId);
    expect(toFirst!.patchCounter).toBe(1);
  });

  it('gives the same Message-ID for the same findings and a new one when they change', () => {
    const a = renderReplies(series, reviewOf(series, [flagFinding, nullFinding]), ctx)[0]!;
    const b = renderReplies(series, reviewOf(series, [nullFinding, flagFinding]), { ...ctx, date: new Date(0) })[0]!;
    const c = renderReplies(series, reviewOf(series, [flagFinding]), ctx)[0]!;
    expect(a.messageId).toBe(b.messageId);
    expect(c.messageId).not.toBe(a.messageId);
    expect(a.messageId).toMatch(/^bpf-review-[0-9a-f]{24}@bpf-review\.example$/);
  });

  it('honours author-only and never-mail', () => {
    const [r] = renderReplies(series, reviewOf(series, [flagFinding]), { ...ctx, recipients: 'author' });
    expect(r!.to).toEqual([JANE]);
    expect(r!.cc).toEqual([]);
    expect(text(r!.raw)).not.toMatch(/^Cc:/m);
    const [n] = renderReplies(series, reviewOf(series, [flagFinding]), { ...ctx, neverMail: ['@example.net', 'AST@kernel.org'] });
    expect(n!.cc.map((a) => a.address)).toEqual(['bpf@vger.kernel.org']);
  });

  it('writes UTF-8 as 8bit and encodes a non-ASCII subject and name so they read back exactly', async () => {
    const m2 = fixtureMessage({ subject: '[PATCH bpf-next 2/3] bpf: Fix the naïve check — “quoted” and long enough to fold the header', from: { name: 'José Müller', address: 'jm@example.org' } });
    const p2 = { ...patchOf(m2), counter: 2, author: m2.from };
    const s2 = seriesOf([p2], { cover, total: 3 });
    const [r] = renderReplies(s2, reviewOf(s2, [{ ...flagFinding, message: 'Ünïcode in a message.' }]), { ...ctx, messages: new Map([[m2.messageId, m2]]) });
    const parsed = await simpleParser(r!.raw);
    expect(parsed.subject).toBe(`Re: ${m2.subject}`);
    expect(parsed.text).toContain('Ünïcode');
    expect(text(r!.raw)).toContain('Content-Transfer-Encoding: 8bit');
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0]!.name : '').toBe('José Müller');
    for (const line of text(r!.raw).split('\r\n\r\n')[0]!.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
  });

  it('keeps trailer-looking words off the start of a line', () => {
    const long = f({ ruleId: 't', severity: 'error', file: null, line: null, message: `${'word '.repeat(14)}the commit carries Acked-by: someone@example.org which the author cannot give.` });
    const [r] = renderReplies(series, reviewOf(series, [long]), ctx);
    expect(bodyOf(r!.raw)).not.toMatch(/^\s*\(?Acked-by:/m);
  });
});

describe('renderReplies: placing comments', () => {
  it('puts two points on one line under it, elides between far lines of one hunk, and lists unplaced points last', () => {
    const a = f({ ruleId: 'a', severity: 'warning', file: 'kernel/bpf/helpers.c', line: 200, message: 'First on a context line?' });
    const b1 = f({ ruleId: 'b1', severity: 'info', file: 'kernel/bpf/helpers.c', line: 209, message: 'Second.' });
    const b2 = f({ ruleId: 'b2', severity: 'error', file: 'kernel/bpf/helpers.c', line: 209, message: 'Same line, an error.' });
    const off = f({ ruleId: 'c', severity: 'error', file: 'kernel/bpf/helpers.c', line: 5000, message: 'A line the patch does not show.' });
    const [r] = renderReplies(series, reviewOf(series, [off, b1, a, b2]), ctx);
    const body = bodyOf(r!.raw).split('\r\n');
    const at = (s: string): number => body.indexOf(s);
    expect(at('> @@ -200,6 +200,13 @@ static int demo_two(struct demo *p)')).toBeGreaterThan(0);
    expect(body[at('>  \tstruct demo_rec *rec;') + 2]).toBe('First on a context line?');
    // the lines between the two places are elided, then quoting resumes a few lines above the second
    const second = at('> +\treturn demo_more(rec);');
    expect(body.slice(second - 5, second + 5)).toEqual([
      '[ ... ]',
      '',
      '> +\terr = demo_use(rec);',
      '> +\tif (err)',
      '> +\t\treturn err;',
      '> +\treturn demo_more(rec);',
      '',
      'Same line, an error.',
      '',
      "This isn't a bug, but second.",
    ]);
    expect(body.join('\n')).toContain('In kernel/bpf/helpers.c, line 5000:\n\nA line the patch does not show.');
    expect(at('In kernel/bpf/helpers.c, line 5000:')).toBeGreaterThan(second);
  });
});

describe('renderReplies: line limits', () => {
  it('cuts a quoted code line longer than RFC 5322 allows instead of wrapping it', () => {
    const longLine = `\tconst char *s = "${'x'.repeat(1200)}";`;
    const body = FIXTURE_BODY.replace('+#define KF_HANDOVER\t(1 << 3) /* kfunc hands its argument over */', `+${longLine}`);
    const m = fixtureMessage({ body });
    const p = { ...patchOf(m), counter: 2 };
    const s = seriesOf([p]);
    const [r] = renderReplies(s, reviewOf(s, [flagFinding]), { ...ctx, messages: new Map([[m.messageId, m]]) });
    const lines = r!.raw.toString('utf8').split('\r\n');
    expect(Math.max(...lines.map((l) => Buffer.byteLength(l)))).toBeLessThanOrEqual(998);
    expect(lines.find((l) => l.startsWith('> +\tconst char'))).toMatch(/x \[\.\.\.\]$/);
  });
});

describe('toMbox', () => {
  it('writes one mboxrd message per reply and escapes From lines', async () => {
    const fromLine = f({ ruleId: 'x', severity: 'error', file: null, line: null, message: 'First line.\n\nFrom here on it is wrong.' });
    const replies = [
      ...renderReplies(series, reviewOf(series, [fromLine]), ctx),
      ...renderReplies(series, reviewOf(series, [f({ ...fromLine, patch: 0, fingerprint: 'other' })]), ctx),
    ];
    const mbox = toMbox(replies);
    const starts = mbox.split('\n').filter((l) => l.startsWith('From '));
    expect(starts).toEqual(['From bpf-review@bpf-review.example Mon Jan 01 12:30:05 2024', 'From bpf-review@bpf-review.example Mon Jan 01 12:30:05 2024']);
    expect(mbox).toContain('\n>From here on it is wrong.\n');
    expect(mbox).not.toContain('\r');
  });
});
