import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderReplies, type RenderContext } from '../../../src/report/email/index.js';
import type { Message } from '../../../src/model/index.js';
import { BOT, finding, patchOf, reviewOf, seriesOf } from '../support/build-series.js';
import { fixtureMessage } from '../support/fixture-patch.js';

const goldenDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden');

/** Pins the exact bytes of a patch reply (all three severities, an unplaced point) and a cover reply. */
describe('golden replies for our own fixture series', () => {
  const msg = fixtureMessage();
  const cover: Message = fixtureMessage({ messageId: '20240101000000.1-0-jane@example.org', inReplyTo: null, references: [], subject: '[PATCH bpf-next 0/3] bpf: Hand kfunc arguments over', body: 'Cover.' });
  const patch = { ...patchOf(msg), counter: 2 };
  const series = seriesOf([patch], { cover, total: 3 });
  const ctx: RenderContext = { messages: new Map([[msg.messageId, msg], [cover.messageId, cover]]), from: BOT, date: new Date(Date.UTC(2024, 0, 1, 9)), messageIdDomain: 'bpf-review.example', reportUrl: 'https://bpf-review.example/s/1' };
  const f = (o: Parameters<typeof finding>[0]) => finding({ patch: 2, messageId: msg.messageId, ...o });
  const replies = renderReplies(
    series,
    reviewOf(
      series,
      [
        f({ ruleId: 'kf-flag-meaningless-alone', severity: 'warning', file: 'include/linux/btf.h', line: 13, message: 'KF_HANDOVER is only meaningful together with KF_RELEASE, and no kfunc uses it alone. Could the kfuncs that need it be special-cased in the verifier instead of adding a flag?', source: 'Documentation/bpf/kfuncs.rst' }),
        f({ ruleId: 'kf-flag-define-alignment', severity: 'info', file: 'include/linux/btf.h', line: 13, message: 'The comment of the new define does not line up with the ones above.' }),
        f({ ruleId: 'null-check-wrong-variable', severity: 'error', file: 'kernel/bpf/helpers.c', line: 204, message: 'rec is assigned from demo_record(p), but the next line tests p, which was already used. The check should test rec.', source: 'smatch, "variable dereferenced before check"' }),
        f({ ruleId: 'commit-message-mentions', severity: 'warning', file: null, line: null, message: 'The commit message says the argument stays readable until the lock is dropped, but nothing in the patch ties it to a lock.' }),
        f({ ruleId: 'selftests-missing', severity: 'warning', patch: 0, messageId: cover.messageId, file: null, line: null, message: 'The series adds a kfunc flag but no selftest under tools/testing/selftests/bpf.', source: 'Documentation/bpf/kfuncs.rst' }),
      ],
      ['no kernel tree configured'],
    ),
    ctx,
  );

  for (const [i, name] of [[0, 'fixture-0-3.reply.eml'], [1, 'fixture-2-3.reply.eml']] as const) {
    it(`renders ${name} exactly`, () => {
      const path = join(goldenDir, name);
      // UPDATE_GOLDEN=1 rewrites the golden files after a deliberate change of wording or layout
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, replies[i]!.raw);
      expect(replies[i]!.raw.toString('utf8')).toBe(readFileSync(path, 'utf8'));
    });
  }
});
