import { describe, expect, it } from 'vitest';
import type { FileDiff } from '../../model/diff.js';
import type { Message } from '../../model/message.js';
import { parseDiff } from './parse-diff-text.js';
import { parseReviewReply } from './parse-review-reply.js';

const DIFF = [
  'diff --git a/include/linux/btf.h b/include/linux/btf.h',
  'index 1111111..2222222 100644',
  '--- a/include/linux/btf.h',
  '+++ b/include/linux/btf.h',
  '@@ -10,5 +10,6 @@',
  ' #define KF_ACQUIRE\t(1 << 0)',
  ' #define KF_RELEASE\t(1 << 1)',
  '-#define KF_OLD\t(1 << 2)',
  '+#define KF_NEW\t(1 << 2)',
  '+#define KF_OTHER\t(1 << 3)',
  ' ',
  ' #endif',
  'diff --git a/kernel/bpf/verifier.c b/kernel/bpf/verifier.c',
  'index 3333333..4444444 100644',
  '--- a/kernel/bpf/verifier.c',
  '+++ b/kernel/bpf/verifier.c',
  '@@ -100,6 +100,7 @@ static int first(void)',
  ' {',
  '+\tint ret = 0;',
  ' \tif (x)',
  ' \t\treturn 0;',
  ' \treturn 1;',
  ' }',
  ' ',
  '@@ -200,6 +201,7 @@ static int second(void)',
  ' {',
  '+\tint err = 0;',
  ' \tif (x)',
  ' \t\treturn 0;',
  ' \treturn 1;',
  ' }',
  ' ',
  '',
].join('\n');

function patchFiles(): FileDiff[] {
  const r = parseDiff(DIFF, 20);
  if (!r.ok) throw r.error;
  return r.value;
}

function reply(body: string): Message {
  return {
    source: 'test', messageId: 'reply@example', messageIdSynthesised: false, inReplyTo: 'patch@example', references: ['patch@example'],
    subject: 'Re: [PATCH] x', from: { name: 'Rev Iewer', address: 'rev@example.org' }, to: [], cc: [], date: null,
    body, attachments: [], headers: {},
  };
}

const parse = (body: string) => parseReviewReply(reply(body), { messageId: 'patch@example', files: patchFiles() });

describe('parseReviewReply', () => {
  it('places each comment on the last quoted diff line of the run before it', () => {
    const cs = parse([
      'Hi Ann,',
      '',
      'On Mon, Jan 1, 2024 at 10:00 AM Ann Author <ann@example.org> wrote:',
      '> Add a flag.',
      '>',
      '> Signed-off-by: Ann Author <ann@example.org>',
      '> ---',
      '> diff --git a/include/linux/btf.h b/include/linux/btf.h',
      '> index 1111111..2222222 100644',
      '> --- a/include/linux/btf.h',
      '> +++ b/include/linux/btf.h',
      '> @@ -10,5 +10,6 @@',
      '>  #define KF_ACQUIRE\t(1 << 0)',
      '>  #define KF_RELEASE\t(1 << 1)',
      '> -#define KF_OLD\t(1 << 2)',
      '',
      'Why remove this one?',
      '',
      '> +#define KF_NEW\t(1 << 2)',
      '> +#define KF_OTHER\t(1 << 3)',
      '',
      'No need for this flag.',
      '',
      'Thanks,',
      'Rev',
      '-- ',
      'Rev Iewer, Some Corp',
    ].join('\n'));
    expect(cs.map((c) => [c.file, c.line, c.side, c.comment])).toEqual([
      ['include/linux/btf.h', 12, 'old', 'Why remove this one?'],
      ['include/linux/btf.h', 13, 'new', 'No need for this flag.'],
    ]);
    expect(cs[0]).toMatchObject({ messageId: 'reply@example', inReplyTo: 'patch@example', reviewer: { address: 'rev@example.org' } });
    expect(cs[1]!.quoted).toEqual(['+#define KF_NEW\t(1 << 2)', '+#define KF_OTHER\t(1 << 3)']);
  });

  it('uses the quoted @@ header to tell repeated lines apart', () => {
    const cs = parse([
      '> @@ -200,6 +201,7 @@ static int second(void)',
      '>  {',
      '> +\tint err = 0;',
      '>  \tif (x)',
      '>  \t\treturn 0;',
      '',
      'Return -EINVAL here.',
    ].join('\n'));
    expect(cs).toHaveLength(1);
    expect(cs[0]).toMatchObject({ file: 'kernel/bpf/verifier.c', line: 204, side: 'new' });
  });

  it('follows the quote order through repeated lines without a header', () => {
    const cs = parse([
      '> +\tint err = 0;',
      '>  \tif (x)',
      '>  \t\treturn 0;',
      '',
      'This one.',
    ].join('\n'));
    expect(cs[0]).toMatchObject({ file: 'kernel/bpf/verifier.c', line: 204 });
  });

  it('matches lines whose tabs a mail client turned into spaces, and ">" quotes without a blank', () => {
    const cs = parse(['>+        int ret = 0;', '>         if (x)', '', 'Spaces, but found.'].join('\n'));
    expect(cs[0]).toMatchObject({ file: 'kernel/bpf/verifier.c', line: 102, side: 'new' });
  });

  it('reads a patch quoted one level deeper, ignoring the other reviewer\'s words at level one', () => {
    const cs = parse([
      'On Tue, X wrote:',
      '> On Mon, Ann wrote:',
      '> > diff --git a/include/linux/btf.h b/include/linux/btf.h',
      '> > @@ -10,5 +10,6 @@',
      '> >  #define KF_ACQUIRE\t(1 << 0)',
      '> >  #define KF_RELEASE\t(1 << 1)',
      '> > -#define KF_OLD\t(1 << 2)',
      '> > +#define KF_NEW\t(1 << 2)',
      '> ',
      '> Not sure about this.',
      '',
      'Agreed, and keep the alignment.',
    ].join('\n'));
    expect(cs).toHaveLength(1);
    expect(cs[0]).toMatchObject({ file: 'include/linux/btf.h', line: 12, side: 'new', comment: 'Agreed, and keep the alignment.' });
  });

  it('keeps a comment it cannot place, with file/line null', () => {
    const cs = parse(['> +\tint ret = 0;', '', 'Fine.', '', '> diff --git a/other.c b/other.c', '> +\tsomething else entirely', '', 'What is this?'].join('\n'));
    expect(cs).toHaveLength(2);
    expect(cs[1]).toMatchObject({ file: null, line: null, side: null, comment: 'What is this?' });
  });

  it('returns nothing for a reply that quotes no diff', () => {
    expect(parse(['> Add a flag.', '', 'Looks good.', '', 'Acked-by: Rev <rev@example.org>'].join('\n'))).toEqual([]);
  });

  it('drops snip marks, the attribution before the next quote, and the sign-off', () => {
    const cs = parse([
      '> +\tint ret = 0;',
      '',
      'Unused.',
      '',
      '[...]',
      '',
      'On Mon, Jan 1, 2024 at 10:00 AM Ann Author',
      '<ann@example.org> wrote:',
      '> +\tint err = 0;',
      '',
      'Also unused.',
      '',
      'Cheers,',
      'Rev',
    ].join('\n'));
    expect(cs.map((c) => [c.line, c.comment])).toEqual([[101, 'Unused.'], [202, 'Also unused.']]);
  });

  it('drops a sign-off glued to the last paragraph, a "--" signature and pw-bot commands', () => {
    const cs = parse([
      '> +\tint ret = 0;',
      '',
      'Unused, drop it.',
      'Thanks,',
      'Rev',
      '',
      'pw-bot: cr',
      '--',
      'Regards',
      'Rev Iewer',
      '',
      '>  \tif (x)',
    ].join('\n'));
    expect(cs.map((c) => c.comment)).toEqual(['Unused, drop it.']);
  });

  it('keeps a short last comment that is not the reviewer\'s name', () => {
    const cs = parse(['> +\tint ret = 0;', '', 'Agreed'].join('\n'));
    expect(cs.map((c) => c.comment)).toEqual(['Agreed']);
  });

  it('parses the diff text itself when only that is given', () => {
    const cs = parseReviewReply(reply(['> +\tint ret = 0;', '', 'Unused.'].join('\n')), { messageId: 'patch@example', files: [], diffText: DIFF });
    expect(cs.map((c) => [c.file, c.line])).toEqual([['kernel/bpf/verifier.c', 101]]);
  });

  it('does not end a run at blank lines between quotes, and skips a bare tag under the quote', () => {
    const cs = parse([
      '> +\tint ret = 0;',
      '',
      '> > Why not in mark_reg_not_init()?',
      '',
      'Tried that, it does not work.',
      '',
      '> +\tint err = 0;',
      '',
      'Acked-by: Rev Iewer <rev@example.org>',
    ].join('\n'));
    expect(cs.map((c) => [c.line, c.comment])).toEqual([[101, 'Tried that, it does not work.']]);
  });
});
