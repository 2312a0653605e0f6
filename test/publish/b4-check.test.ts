import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { describeShared, sharedPath } from '../support/shared-data.js';
import { runB4Check, type ReviewFn } from '../../src/app/commands/b4-check.js';
import { toB4Check } from '../../src/report/b4-check.js';
import type { Finding, SeriesReview } from '../../src/model/index.js';
import { finding } from './support/build-series.js';

const review = (findings: Finding[], extra: Partial<SeriesReview> = {}): SeriesReview => ({
  seriesId: 's', subject: 'x', revision: 1, messageId: 's', findings, notRun: [], errors: [], ...extra,
});

describe('toB4Check', () => {
  it('maps severities to pass / warn / fail with a counted summary and checkpatch-style details', () => {
    expect(toB4Check(review([]))).toEqual([{ tool: 'bpf-review', status: 'pass', summary: 'no findings', url: '', details: '' }]);
    const [w] = toB4Check(review([finding({ ruleId: 'a', severity: 'warning', file: 'include/linux/btf.h', line: 74, message: 'M?' }), finding({ ruleId: 'b', severity: 'info', message: 'S.' })]), { url: 'https://x.example/r' });
    expect(w).toMatchObject({ status: 'warn', summary: '1 warning, 1 style note', url: 'https://x.example/r' });
    expect(JSON.parse(w!.details)).toEqual([
      { status: 'warn', description: 'include/linux/btf.h:74: M? [a]' },
      { status: 'pass', description: 'S. [b]' },
    ]);
    const [f] = toB4Check(review([finding({ ruleId: 'e', severity: 'error', message: 'E.' })], { notRun: ['no kernel tree'] }));
    expect(f).toMatchObject({ status: 'fail', summary: '1 error; not run: no kernel tree' });
    const [i] = toB4Check(review([finding({ ruleId: 'internal-error', severity: 'error', message: 'rule crashed' })]));
    expect(i).toMatchObject({ status: 'warn', summary: 'no findings; the review did not complete' });
  });
});

describeShared('runB4Check', () => {
  it('reads one patch mail as b4 pipes it and reviews it as a one-patch series', async () => {
    const mbox = readFileSync(sharedPath('seed', 'reconstructed', 'v2-02-13.mbox'));
    let seen: { subject: string; files: number; counter: number } | null = null;
    const fakeReview: ReviewFn = async (series) => {
      const p = series.patches[0]!;
      seen = { subject: p.subject, files: p.files.length, counter: p.counter };
      return review([finding({ ruleId: 'kf-flag-meaningless-alone', severity: 'warning', patch: p.counter, file: 'include/linux/btf.h', line: 74, message: 'KF_RELEASE_NON_OWN alone?' })]);
    };
    const out = await runB4Check(mbox, fakeReview);
    expect(seen).toEqual({ subject: '[PATCH v2 bpf-next 02/13] bpf: Migrate release_on_unlock logic to non-owning ref semantics', files: 5, counter: 2 });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ tool: 'bpf-review', status: 'warn', summary: '1 warning' });
    // the output is what b4's _run_external_cmd accepts: a JSON list of objects with string fields
    const parsed = JSON.parse(JSON.stringify(out)) as Record<string, unknown>[];
    for (const e of parsed) for (const k of ['tool', 'status', 'summary', 'url', 'details']) expect(typeof e[k]).toBe('string');
  });

  it('says "not a patch" for a mail without a diff', async () => {
    const mail = Buffer.from('From: A <a@example.org>\r\nSubject: Re: hello\r\nMessage-ID: <x@example.org>\r\n\r\nJust a reply.\r\n');
    const out = await runB4Check(mail, async () => { throw new Error('must not be called'); });
    expect(out[0]).toMatchObject({ status: 'pass', summary: 'not a patch: nothing to check' });
  });
});
