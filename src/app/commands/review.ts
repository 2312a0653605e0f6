/**
 * `bpf-review review <source...> [--tree DIR] [--config FILE] [--format text|json|email|sarif]`:
 * the findings per series and patch. Exit 0 with no errors found, 1 with errors found, 2 when it
 * could not run. `--format email` prints the replies as an mbox and sends nothing (dry run).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { ConfigError, InputError } from '../../model/errors.js';
import { allRules } from '../../../rules/index.js';
import { validateReviewConfig, type ReviewConfig } from '../../engine/review-config.js';
import { reviewSources, type ReviewRun } from '../../pipeline/review-sources.js';
import { renderReviewJson, type ReviewRunSummary } from '../../report/review-json.js';
import { renderReviewText } from '../../report/review-text.js';
import { renderRepliesMbox } from '../../report/email/index.js';
import { toSarif } from '../../report/sarif.js';
import { EXIT_CANNOT_RUN, EXIT_FINDINGS, EXIT_OK } from '../exit-codes.js';

const FORMATS = ['text', 'json', 'email', 'sarif'] as const;
type ReviewFormat = (typeof FORMATS)[number];

export interface ReviewCommandOptions {
  tree?: string;
  config?: string;
  format?: string;
  model?: boolean;
  cache?: string;
  from?: string;
  reportUrl?: string;
}

export interface ReviewIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  now: () => Date;
}

export function loadReviewConfig(path: string): ReviewConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${path}: cannot read the configuration (${(err as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${path}: not valid YAML: ${(err as Error).message}`);
  }
  const review = raw && typeof raw === 'object' && 'review' in raw ? (raw as Record<string, unknown>).review : raw;
  return validateReviewConfig(review, new Set(allRules.map((r) => r.meta.id)), path);
}

function summary(run: ReviewRun): ReviewRunSummary {
  return {
    reviews: run.reviewed.map((r) => r.review),
    quarantined: run.ingest.quarantined,
    accounting: { ...run.ingest.accounting },
    errors: [],
  };
}

function parseFrom(s: string | undefined): { name: string; address: string } {
  const m = s ? /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(s) : null;
  if (m) return { name: m[1] as string, address: m[2] as string };
  if (s && s.includes('@')) return { name: 'bpf-review', address: s.trim() };
  return { name: 'bpf-review', address: 'bpf-review@localhost' };
}

export async function runReview(sources: string[], opts: ReviewCommandOptions, io: ReviewIo): Promise<number> {
  const format = (opts.format ?? 'text') as ReviewFormat;
  if (!FORMATS.includes(format)) {
    io.stderr(`bpf-review review: unknown format '${opts.format}' (text, json, email or sarif)\n`);
    return EXIT_CANNOT_RUN;
  }
  if (sources.length === 0) {
    io.stderr('bpf-review review: give at least one source (an mbox, maildir, .eml file or folder, public-inbox archive, or - for standard input)\n');
    return EXIT_CANNOT_RUN;
  }
  let run: ReviewRun;
  try {
    const config = opts.config ? loadReviewConfig(opts.config) : undefined;
    run = await reviewSources(sources, { tree: opts.tree ?? null, config, model: opts.model, cacheDir: opts.cache ?? null });
  } catch (err) {
    if (err instanceof InputError) {
      io.stderr(`bpf-review review: ${err.message}\n`);
      return EXIT_CANNOT_RUN;
    }
    throw err;
  }
  const s = summary(run);
  if (format === 'json') io.stdout(renderReviewJson(s));
  else if (format === 'sarif') io.stdout(`${JSON.stringify(toSarif(s.reviews, allRules.map((r) => r.meta), '0.1.0'), null, 2)}\n`);
  else if (format === 'email') {
    const from = parseFrom(opts.from);
    io.stdout(renderRepliesMbox(run.reviewed, {
      messages: run.ingest.messagesById, from, date: io.now(),
      messageIdDomain: from.address.split('@')[1] ?? 'localhost',
      ...(opts.reportUrl ? { reportUrl: opts.reportUrl } : {}),
    }));
  } else {
    const subjects = new Map(run.reviewed.map(({ series, review }) => [review.messageId, new Map(series.patches.map((p) => [p.counter, p.subject]))]));
    io.stdout(renderReviewText(s, subjects));
  }
  const errorsFound = s.reviews.some((r) => r.findings.some((f) => f.severity === 'error' && f.ruleId !== 'internal-error'));
  return errorsFound ? EXIT_FINDINGS : EXIT_OK;
}

export function register(program: Command): void {
  program
    .command('review')
    .description('review the patch series found in mail sources: kfunc flags, verifier state, reference ownership, C and process points')
    .argument('<source...>', 'mbox/mboxrd (.gz), maildir, .eml file or folder, public-inbox v2 archive, or - for standard input')
    .option('--tree <dir>', 'kernel tree (git checkout or plain folder) to apply the series to; never modified')
    .option('--config <file>', 'YAML: rules on/off and severities, per path (see docs/configuration.md)')
    .option('--format <format>', 'text, json, email (the replies as an mbox; nothing is sent) or sarif', 'text')
    .option('--no-model', 'do not run the verifier model over the graph selftests')
    .option('--cache <dir>', 'keep the facts of base trees here, so later runs against the same commit skip the full extraction')
    .option('--from <address>', 'From: of the replies with --format email', 'bpf-review <bpf-review@localhost>')
    .option('--report-url <url>', 'where the full report is, for the reply footer')
    .action(async (sources: string[], o: ReviewCommandOptions) => {
      const code = await runReview(sources, o, {
        stdout: (s) => process.stdout.write(s),
        stderr: (s) => process.stderr.write(s),
        now: () => new Date(),
      });
      process.exitCode = code;
    });
}
