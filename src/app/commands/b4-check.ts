/**
 * `bpf-review b4-check`: b4's external check command (b4.review-perpatch-check-cmd). Reads one
 * RFC 2822 message on stdin, reviews it, prints `[{"tool","status","summary","url","details"}]`.
 * Exit 0 whenever JSON was printed (b4 reads the status from it); 2 with a message on stderr
 * when it could not run (b4 then shows a failed check with that message).
 */
import type { Command } from 'commander';
import { InputError } from '../../model/index.js';
import { ingestMessages } from '../../ingest/ingest.js';
import { withoutFromLine } from '../../ingest/sources/mboxrd-entry.js';
import { toB4Check, type B4CheckResult } from '../../report/b4-check.js';
import { loadEngineReview, type ReviewFn } from '../../publish/engine-review.js';

export { loadEngineReview, EngineUnavailableError, type ReviewFn } from '../../publish/engine-review.js';


/** The whole check for one message; pure apart from the injected review. */
export async function runB4Check(input: Buffer, review: ReviewFn, opts: { url?: string } = {}): Promise<B4CheckResult[]> {
  const raws = (async function* () {
    yield { source: '<stdin>', bytes: withoutFromLine(input) };
  })();
  const ingested = await ingestMessages(raws);
  const q = ingested.quarantined[0];
  if (q) throw new InputErrorFromQuarantine(q.reason);
  const series = ingested.series[0];
  if (!series || series.patches.length === 0) {
    return [{ tool: 'bpf-review', status: 'pass', summary: 'not a patch: nothing to check', url: opts.url ?? '', details: '' }];
  }
  const result = await review(series, { messages: ingested.messagesById });
  return toB4Check(result, { url: opts.url, patches: series.patches.map((p) => p.counter) });
}

class InputErrorFromQuarantine extends InputError {
  readonly code = 'malformed-message';
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks);
}

export function register(program: Command): void {
  program
    .command('b4-check')
    .description("b4's external check: one patch mail on stdin, a JSON list [{tool, status, summary, url, details}] on stdout")
    .option('--url <url>', 'link to put in the result (e.g. the dashboard)')
    .option('--tree <dir>', 'kernel tree to apply the patch to (default: $BPF_REVIEW_TREE; none = diff-only)')
    .action(async (opts: { url?: string; tree?: string }) => {
      try {
        const review = await loadEngineReview({ tree: opts.tree ?? null });
        const results = await runB4Check(await readAll(process.stdin), review, { url: opts.url });
        process.stdout.write(`${JSON.stringify(results)}\n`);
      } catch (err) {
        process.stderr.write(`bpf-review b4-check: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 2;
      }
    });
}
