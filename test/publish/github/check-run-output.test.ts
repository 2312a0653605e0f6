import { describe, expect, it } from 'vitest';
import { batches, renderCheckRun } from '../../../src/report/github/check-run-output.js';
import { finding, patchOf, reviewOf, seriesOf } from '../support/build-series.js';
import { fixtureMessage } from '../support/fixture-patch.js';

const m = fixtureMessage();
const p1 = { ...patchOf(m), counter: 1, subject: 'bpf: Add *KF_HANDOVER*' };
const p2 = { ...patchOf(m), counter: 2, messageId: 'b@x', subject: 'selftests/bpf: Test it' };
const series = seriesOf([p1, p2]);

describe('renderCheckRun', () => {
  it('concludes failure for errors, neutral for warnings only, success otherwise', () => {
    const e = finding({ ruleId: 'e', severity: 'error', message: 'E.' });
    const w = finding({ ruleId: 'w', severity: 'warning', message: 'W?' });
    const i = finding({ ruleId: 'i', severity: 'info', message: 'I.' });
    const crash = finding({ ruleId: 'internal-error', severity: 'error', message: 'boom' });
    expect(renderCheckRun(series, reviewOf(series, [e, w, i])).conclusion).toBe('failure');
    expect(renderCheckRun(series, reviewOf(series, [w, i])).conclusion).toBe('neutral');
    expect(renderCheckRun(series, reviewOf(series, [i, crash])).conclusion).toBe('success');
    expect(renderCheckRun(series, reviewOf(series, [])).title).toBe('No findings');
  });

  it('groups the summary by patch, escapes Markdown, shows crashes as notes and annotates only located findings', () => {
    const out = renderCheckRun(
      series,
      reviewOf(
        series,
        [
          finding({ ruleId: 'no-selftests', severity: 'warning', patch: 0, message: 'No selftest.' }),
          finding({ ruleId: 'flag', severity: 'error', patch: 1, file: 'include/linux/btf.h', line: 13, message: 'Bit <3> collides.', source: 'include/linux/btf.h' }),
          finding({ ruleId: 'internal-error', severity: 'error', patch: 2, message: 'rule x crashed' }),
        ],
        ['no kernel tree configured'],
      ),
    );
    expect(out.title).toBe('1 error, 1 warning');
    expect(out.summary).toBe(
      [
        'bpf-review checked 2 commits for kfunc flag, verifier state and reference ownership problems.',
        '',
        '### The series as a whole',
        '',
        '- **warning**: No selftest. — `no-selftests`',
        '',
        '### 1/2: bpf: Add \\*KF\\_HANDOVER\\*',
        '',
        '- **error** `include/linux/btf.h:13`: Bit \\<3\\> collides. (see include/linux/btf.h) — `flag`',
        '',
        '### 2/2: selftests/bpf: Test it',
        '',
        '- **note**: rule x crashed — `internal-error`',
        '',
        '### Not checked',
        '',
        '- no kernel tree configured',
        '',
        'This is an automated review; it does not approve or reject. If a point is wrong, say so in the pull request.',
      ].join('\n'),
    );
    // commit 2 changes btf.h again (the same fixture diff): line 13 of commit 1 is line 14 at the head
    expect(out.annotations).toEqual([
      { path: 'include/linux/btf.h', start_line: 14, end_line: 14, annotation_level: 'failure', message: 'Bit <3> collides.', title: 'flag', raw_details: 'See include/linux/btf.h' },
    ]);
  });

  it('batches by 50', () => {
    expect(batches(Array.from({ length: 101 }, (_, i) => i)).map((b) => b.length)).toEqual([50, 50, 1]);
    expect(batches([])).toEqual([]);
  });
});
