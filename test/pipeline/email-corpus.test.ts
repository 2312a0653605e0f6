import { readdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { reviewSources } from '../../src/pipeline/review-sources.js';
import { renderReplies } from '../../src/report/email/index.js';
import { describeShared, sharedPath } from '../support/shared-data.js';

// review --format email over the real threads: every reply well-formed and threaded under the
// message it answers (the real engine, diff-only: the threads' bases are not in a tree here)
describeShared('email replies over the real bpf-next threads', () => {
  const threads = (() => {
    try {
      return readdirSync(sharedPath('corpus/bpf-list-threads')).map((d) => sharedPath('corpus/bpf-list-threads', d, 'thread.mboxrd'));
    } catch {
      return [];
    }
  })();
  threads.push(sharedPath('seed/thread/c-v5-merged-version/thread.mboxrd'));

  it.each(threads)('%s', async (mbox) => {
    const run = await reviewSources([mbox]);
    const ids = run.ingest.messagesById;
    for (const { series, review } of run.reviewed) {
      const replies = renderReplies(series, review, {
        messages: ids, from: { name: 'bpf-review', address: 'bot@bpf-review.invalid' },
        date: new Date('2026-11-25T00:00:00Z'), messageIdDomain: 'bpf-review.invalid',
      });
      const mailed = review.findings.filter((f) => f.ruleId !== 'internal-error');
      const targets = new Set(mailed.map((f) => f.messageId));
      expect(replies.length).toBe(targets.size);
      for (const reply of replies) {
        const parsed = await simpleParser(reply.raw);
        const irt = String(parsed.inReplyTo ?? '').replace(/[<>]/g, '');
        expect(targets.has(irt)).toBe(true);
        const original = ids.get(irt);
        expect(original).toBeDefined();
        expect(parsed.subject).toBe(`Re: ${original!.subject.replace(/^(re:\s*)+/i, '')}`);
        const refs = (Array.isArray(parsed.references) ? parsed.references : [parsed.references]).map((r) => String(r).replace(/[<>]/g, ''));
        expect(refs[refs.length - 1]).toBe(irt);
        expect(reply.raw.toString('latin1')).not.toMatch(/Content-Transfer-Encoding: (quoted-printable|base64)/i);
        for (const line of (parsed.text ?? '').split('\n')) if (!line.startsWith('>')) expect(line.length).toBeLessThanOrEqual(78);
      }
    }
  });
});
