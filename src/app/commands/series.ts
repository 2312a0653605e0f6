/**
 * `bpf-review series <source...> [--format text|json]`: the threads and series found in
 * mail sources, with every message accounted for. Exit 0, or 2 when it could not run
 * (an unreadable source: the message says what to give instead).
 */
import type { Command } from 'commander';
import { InputError } from '../../model/errors.js';
import type { Series } from '../../model/series.js';
import { ingest, type IngestResult } from '../../ingest/ingest.js';
import { EXIT_CANNOT_RUN, EXIT_OK } from '../exit-codes.js';


export type SeriesFormat = 'text' | 'json';

export interface SeriesIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const pad2 = (n: number, total: number): string => String(n).padStart(String(total).length, '0');

function trailerSummary(names: string[]): string {
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  return [...counts].map(([n, c]) => (c > 1 ? `${n} x${c}` : n)).join(', ') || 'none';
}

function header(s: Series): string {
  const tags = [`v${s.revision}`, ...(s.tree ? [s.tree] : []), ...(s.rfc ? ['RFC'] : []), ...(s.resend ? ['RESEND'] : [])];
  const first = s.cover ? 0 : (s.patches[0]?.counter ?? 1);
  const cover = s.cover ? `(cover ${s.cover.messageId})` : '(no cover)';
  return `[${tags.join(' ')}] ${first}/${s.total} ${s.title}  ${cover}`;
}

export function renderSeriesText(r: IngestResult): string {
  const out: string[] = [];
  const rootless = r.threads.filter((t) => t.rootMissing).length;
  out.push(`${r.threads.length} thread(s) (${rootless} whose first message is not here), ${r.series.length} series`);
  for (const s of r.series) {
    out.push('');
    out.push(header(s));
    for (const p of s.patches) {
      const t = [...p.trailers.map((x) => x.name), ...s.followupTrailers.filter((f) => f.counter === p.counter).map((f) => `${f.trailer.name} (follow-up)`)];
      const err = p.error ? `  BROKEN: ${p.error.reason}` : '';
      out.push(`  ${pad2(p.counter, s.total)}/${s.total} ${p.subject}  files: ${p.files.length}  trailers: ${trailerSummary(t)}  replies: ${p.replies.length}${err}`);
    }
    if (s.missing.length > 0) out.push(`  missing: ${s.missing.join(', ')}${s.partialReroll ? ' (partial reroll: taken from the previous revision)' : ''}`);
    if (s.coverReplies.length > 0) out.push(`  replies to the cover: ${s.coverReplies.length}`);
    if (s.threading === 'unthreaded') out.push('  unthreaded: grouped by sender, tags and time');
    if (s.baseCommit) out.push(`  base-commit: ${s.baseCommit}`);
    for (const id of s.prerequisitePatchIds) out.push(`  prerequisite-patch-id: ${id}`);
    out.push(`  previous revision: ${s.previous ?? 'none found'}`);
  }
  const a = r.accounting;
  out.push('');
  out.push(`read ${a.read} = series members ${a.seriesMembers} + replies ${a.replies} + other ${a.other} + duplicates ${a.duplicates} + quarantined ${a.quarantined}`);
  if (r.quarantined.length > 0) {
    out.push('quarantined:');
    for (const q of r.quarantined) out.push(`  ${q.source}: ${q.code}: ${q.reason}`);
  }
  return `${out.join('\n')}\n`;
}

export function seriesJson(r: IngestResult): unknown {
  return {
    messages: r.messages,
    accounting: r.accounting,
    quarantined: r.quarantined.map((q) => ({ source: q.source, reason: q.reason, code: q.code, messageId: q.messageId })),
    threads: r.threads.map((t) => ({ root: t.root, rootMissing: t.rootMissing, messages: t.messageIds.length })),
    series: r.series.map((s) => ({
      id: s.id,
      subject: s.subject,
      title: s.title,
      revision: s.revision,
      total: s.total,
      tree: s.tree,
      rfc: s.rfc,
      resend: s.resend,
      author: s.author,
      date: s.date,
      cover: s.cover?.messageId ?? null,
      patches: s.patches.map((p) => ({
        counter: p.counter,
        messageId: p.messageId,
        subject: p.subject,
        files: p.files.map((f) => f.newPath ?? f.oldPath),
        trailers: p.trailers.map((t) => ({ name: t.name, value: t.value })),
        replies: p.replies,
        ...(p.error ? { error: p.error } : {}),
      })),
      missing: s.missing,
      previous: s.previous,
      partialReroll: s.partialReroll,
      threading: s.threading,
      baseCommit: s.baseCommit,
      prerequisitePatchIds: s.prerequisitePatchIds,
      changeId: s.changeId,
      coverReplies: s.coverReplies,
      followupTrailers: s.followupTrailers.map((f) => ({ counter: f.counter, messageId: f.messageId, name: f.trailer.name, value: f.trailer.value })),
    })),
  };
}

/** The command's action, testable without a process: returns the exit code. */
export async function runSeries(sources: string[], opts: { format?: string }, io: SeriesIo): Promise<number> {
  const format = opts.format ?? 'text';
  if (format !== 'text' && format !== 'json') {
    io.stderr(`bpf-review series: unknown --format ${JSON.stringify(format)}: use text or json\n`);
    return EXIT_CANNOT_RUN;
  }
  let r: IngestResult;
  try {
    r = await ingest(sources, { keep: 'compact' });
  } catch (err) {
    if (err instanceof InputError) {
      io.stderr(`bpf-review series: ${err.message}\n`);
      return EXIT_CANNOT_RUN;
    }
    throw err;
  }
  io.stdout(format === 'json' ? `${JSON.stringify(seriesJson(r), null, 2)}\n` : renderSeriesText(r));
  return EXIT_OK;
}

export function register(program: Command): void {
  program
    .command('series')
    .description('print the threads and series found in mail sources (mbox, maildir, .eml, public-inbox, - for stdin), every message accounted for')
    .argument('<source...>', 'mail sources')
    .option('--format <format>', 'text or json', 'text')
    .action(async (sources: string[], opts: { format?: string }) => {
      const code = await runSeries(sources, opts, {
        stdout: (s) => process.stdout.write(s),
        stderr: (s) => process.stderr.write(s),
      });
      process.exitCode = code;
    });
}
