import { mboxrdEntry } from '../../../src/ingest/sources/mboxrd-entry.js';

/**
 * A stream of patch series written for the service tests: series k has a cover letter and
 * `patches` patches, each a small valid diff, threaded under the cover, posted to bpf@vger.
 * Deterministic: the same k gives the same bytes.
 */
export interface StreamMail {
  messageId: string;
  series: number;
  counter: number;
  bytes: Buffer;
}

const pad = (n: number): string => String(n).padStart(2, '0');

function dateOf(k: number, counter: number): string {
  const t = new Date(Date.UTC(2024, 0, 1, 0, 0, 0) + k * 60_000 + counter * 1000);
  return t.toUTCString().replace('GMT', '+0000');
}

export function seriesMails(k: number, patches = 2, opts: { revision?: number; subject?: string; domain?: string; file?: (k: number, c: number) => string; added?: (k: number, c: number) => string[] } = {}): StreamMail[] {
  const rev = opts.revision ?? 1;
  const domain = opts.domain ?? 'example.org';
  const v = rev > 1 ? ` v${rev}` : '';
  const title = opts.subject ?? `bpf: change number ${k}`;
  const id = (c: number): string => `s${k}-v${rev}-p${c}@${domain}`;
  const out: StreamMail[] = [];
  const head = (c: number, subject: string): string[] => [
    `From: Dev ${k} <dev${k}@example.org>`,
    'To: bpf@vger.kernel.org',
    'Cc: Alexei Starovoitov <ast@kernel.org>',
    `Subject: ${subject}`,
    `Date: ${dateOf(k, c)}`,
    `Message-ID: <${id(c)}>`,
    ...(c > 0 ? [`In-Reply-To: <${id(0)}>`, `References: <${id(0)}>`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
  ];
  out.push({
    messageId: id(0),
    series: k,
    counter: 0,
    bytes: Buffer.from([...head(0, `[PATCH bpf-next${v} 0/${patches}] ${title}`), `This series changes thing ${k}.`, '', `Dev ${k} (${patches}):`, '', '-- ', '2.43.0', ''].join('\n')),
  });
  for (let c = 1; c <= patches; c++) {
    const file = opts.file ? opts.file(k, c) : `kernel/bpf/file${k}_${c}.c`;
    const added = opts.added ? opts.added(k, c) : [`int c${k}_${c}_r${rev};`];
    const body = [
      `Part ${c} of change ${k}.`,
      '',
      `Signed-off-by: Dev ${k} <dev${k}@example.org>`,
      '---',
      ` ${file} | ${added.length} ${'+'.repeat(added.length)}`,
      ` 1 file changed, ${added.length} insertion${added.length === 1 ? '' : 's'}(+)`,
      '',
      `diff --git a/${file} b/${file}`,
      'index 1111111..2222222 100644',
      `--- a/${file}`,
      `+++ b/${file}`,
      `@@ -1,3 +1,${3 + added.length} @@`,
      ' int a;',
      ' int b;',
      ...added.map((l) => `+${l}`),
      ' int d;',
      '-- ',
      '2.43.0',
      '',
    ];
    out.push({ messageId: id(c), series: k, counter: c, bytes: Buffer.from([...head(c, `[PATCH bpf-next${v} ${c}/${patches}] ${title} part ${pad(c)}`), ...body].join('\n')) });
  }
  return out;
}

/** mboxrd entry for one mail (From_ line, escaped, blank line after). */
export function mboxEntry(bytes: Buffer): Buffer {
  return mboxrdEntry(bytes);
}

/**
 * A deterministic review module for the daemon (review.module): one warning per patch on its
 * first added line, fingerprinted by series, patch and line text. Plain JS, so the spawned
 * daemon can import it.
 */
export const TEST_REVIEW_MODULE = testReviewModule(0);

/** TEST_REVIEW_MODULE taking `delayMs` per series (a review that costs time, to spread over workers). */
export function testReviewModule(delayMs: number): string {
  return `
import { createHash } from 'node:crypto';
export async function reviewSeries(series, ctx) {
  if (${delayMs} > 0) await new Promise((r) => setTimeout(r, ${delayMs}));
  const findings = [];
  for (const p of series.patches) {
    const f = p.files[0];
    const line = f && f.hunks[0] && f.hunks[0].lines.find((l) => l.kind === 'add');
    if (!f || !line) continue;
    findings.push({
      ruleId: 'test-rule', severity: 'warning', patch: p.counter, messageId: p.messageId,
      file: f.newPath, line: line.newLine, message: 'This line is what the test rule looks at.',
      fingerprint: createHash('sha256').update(series.id + '|' + p.counter + '|' + line.text).digest('hex').slice(0, 16),
    });
  }
  return { seriesId: series.id, subject: series.subject, revision: series.revision, messageId: series.id, findings,
    notRun: series.missing.length ? ['missing ' + series.missing.join(',')] : [], errors: [] };
}
`;
}
