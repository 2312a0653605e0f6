import { readdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { describeShared, sharedPath } from '../../support/shared-data.js';
import { ingest } from '../../../src/ingest/ingest.js';
import { splitMbox } from '../../../src/ingest/sources/split-mbox.js';
import { renderReplies, toMbox, type RenderedReply } from '../../../src/report/email/index.js';
import type { Finding, Series, SeriesReview } from '../../../src/model/index.js';
import { BOT } from '../support/build-series.js';

/**
 * A stand-in review that exercises the renderer everywhere: a warning on the first added line
 * of every file of every patch (up to 3 files a patch) and one series-level point. It is not the
 * engine; it stresses layout, quoting and threading on every real patch of the corpus.
 */
function everywhere(series: Series): SeriesReview {
  const findings: Finding[] = [];
  for (const p of series.patches) {
    for (const f of p.files.filter((x) => x.newPath !== null).slice(0, 3)) {
      const line = f.hunks.flatMap((h) => h.lines).find((l) => l.kind === 'add');
      if (!line || line.newLine === null) continue;
      findings.push({ ruleId: 'probe', severity: 'warning', patch: p.counter, messageId: p.messageId, file: f.newPath, line: line.newLine, message: `Is the change to ${f.newPath} at line ${line.newLine} covered by a selftest?`, fingerprint: `${p.messageId}:${f.newPath}` });
    }
  }
  findings.push({ ruleId: 'series-probe', severity: 'info', patch: 0, messageId: series.id, file: null, line: null, message: 'The series-level point lands on the cover letter.', fingerprint: `${series.id}:s` });
  return { seriesId: series.id, subject: series.subject, revision: series.revision, messageId: series.id, findings, notRun: [], errors: [] };
}

describeShared('replies to every real series in the corpus', () => {
  it('are well-formed mail, threaded under the right message, and survive the mbox round trip', async () => {
    const root = sharedPath('corpus', 'bpf-list-threads');
    const dirs = readdirSync(root).map((d) => `${root}/${d}`);
    const ingested = await ingest(dirs);
    expect(ingested.series.length).toBeGreaterThanOrEqual(19);
    const t0 = performance.now();
    const replies: RenderedReply[] = [];
    const expectedQuotes = new Map<string, string[]>();
    for (const s of ingested.series) {
      if (s.patches.length === 0) continue;
      const review = everywhere(s);
      const rs = renderReplies(s, review, { messages: ingested.messagesById, from: BOT, date: new Date(Date.UTC(2024, 5, 1)), messageIdDomain: 'bpf-review.example' });
      for (const r of rs) {
        const p = s.patches.find((x) => x.counter === r.patchCounter);
        const quotes = review.findings
          .filter((f) => p && f.patch === p.counter && f.file)
          .map((f) => {
            const l = p!.files.find((x) => x.newPath === f.file)!.hunks.flatMap((h) => h.lines).find((x) => x.newLine === f.line && x.kind === 'add')!;
            return `> +${l.text}`.replace(/\s+$/, '');
          });
        expectedQuotes.set(r.messageId, quotes);
      }
      replies.push(...rs);
    }
    const renderMs = performance.now() - t0;
    expect(replies.length).toBeGreaterThan(100);

    for (const r of replies) {
      const original = ingested.messagesById.get(r.inReplyTo)!;
      expect(original, r.inReplyTo).toBeDefined();
      const parsed = await simpleParser(r.raw);
      expect(parsed.messageId).toBe(`<${r.messageId}>`);
      expect(parsed.subject).toBe(/^re:/i.test(original.subject) ? original.subject : `Re: ${original.subject}`);
      expect(parsed.inReplyTo).toBe(`<${original.messageId}>`);
      const refs = ([] as string[]).concat(parsed.references ?? []);
      expect(refs.at(-1)).toBe(`<${original.messageId}>`);
      for (const ref of original.references) expect(refs).toContain(`<${ref}>`);
      const head = r.raw.toString('utf8').split('\r\n\r\n')[0]!;
      expect(head).toMatch(/^Content-Transfer-Encoding: (7bit|8bit)$/m);
      const body = (parsed.text ?? '').split('\n');
      for (const line of body) if (!line.startsWith('>')) expect(line.length, line).toBeLessThanOrEqual(78);
      expect(body.some((l) => /^(Acked|Reviewed|Tested)-by:/.test(l))).toBe(false);
      const text = body.map((l) => l.replace(/\s+$/, ''));
      for (const q of expectedQuotes.get(r.messageId) ?? []) expect(text, q).toContain(q);
    }

    // --format email prints this mbox: it splits back into exactly the messages rendered
    const back: Buffer[] = [];
    for await (const m of splitMbox([toMbox(replies)], 'dry-run')) back.push(m.bytes);
    expect(back.map((b) => b.toString('utf8'))).toEqual(replies.map((r) => r.raw.toString('utf8').replace(/\r\n/g, '\n')));
    console.log(`corpus: ${ingested.series.length} series, ${replies.length} replies rendered in ${renderMs.toFixed(0)} ms`);
  });
});
