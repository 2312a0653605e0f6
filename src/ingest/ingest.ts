/**
 * The ingest pipeline: sources -> raw messages -> parsed messages -> threads -> series,
 * with every message read accounted for:
 *
 *   read = seriesMembers + replies + other + duplicates + quarantined
 *
 * - seriesMembers: cover letters and patches whose patch could be used;
 * - replies: mails that answer a series member (any depth);
 * - other: everything else that parsed (discussion, bug reports, replies to mail we lack);
 * - duplicates: later copies of a Message-ID already read;
 * - quarantined: mails that could not be parsed (MalformedMessageError), and series
 *   members whose patch could not be used (BrokenDiffError; they also stay in their
 *   series with `files: []` and `error`, but are counted here, once).
 *
 * A broken invariant of that sum is a BugError. An unreadable source throws
 * SourceUnreadableError (all sources are opened before any is read, so a typo in the
 * second path fails fast).
 *
 * `ingest` / `ingestMessages` hold the whole run (every series; with keep: 'compact' a
 * compact message per id) and grow with the archive. For large archives in arrival order,
 * `ingestStream(readSources(paths), { onSeries })` emits each thread's series once it has gone
 * quiet and forgets its messages: memory stays flat (see pipeline/ingest-stream.ts).
 *
 * With keep: 'compact' (and in ingestStream) To/Cc are not read and patches are cut as
 * summaries (parsePatchBody's `summary`: no hunks, commit message, notes, diff text).
 */
import type { Message, RawMessage } from '../model/message.js';
import type { Series, Thread } from '../model/series.js';
import type { Quarantined } from '../model/errors.js';
import { parseMessage } from './mail/parse-message.js';
import { openSource, type OpenSourceOptions } from './sources/open-source.js';
import { assembleThreads } from './thread/assemble-threads.js';
import { assembleSeries } from './thread/assemble-series.js';
import { factsOf } from './thread/facts-of.js';
import type { MailFacts } from './thread/mail-facts.js';
import { Interner, slimMessage } from './pipeline/compact-mail.js';
import { readCompactMail } from './pipeline/read-compact-mail.js';
import { checkAccounting, type IngestAccounting } from './pipeline/ingest-accounting.js';

export interface IngestOptions extends OpenSourceOptions {
  /**
   * 'full' (default): messagesById holds whole messages, patches keep diff text and hunks.
   * 'compact': for large archives. As each message is read, its body, attachments, To/Cc
   * (not even read) and headers are dropped, and its patch keeps only files (no hunks), trailers, base-commit,
   * prerequisites and change-id (no commit message, notes, diffstat, diff text); strings are
   * copied out of the bodies they were cut from, ids interned. messagesById then holds these
   * bodiless messages. A review reads its series again with 'full'.
   */
  keep?: 'full' | 'compact';
}

export type { IngestAccounting } from './pipeline/ingest-accounting.js';
/** Constant-memory ingest of large archives in arrival order: series are emitted as their threads go quiet. */
export { ingestStream, DEFAULT_QUIET_AFTER, type IngestStreamOptions, type IngestStreamResult, type SeriesUpdate } from './pipeline/ingest-stream.js';

export interface IngestResult {
  /** Messages read (= accounting.read). */
  messages: number;
  series: Series[];
  threads: Thread[];
  /** First copy of each Message-ID that parsed; compact messages (no body) with keep: 'compact'. */
  messagesById: Map<string, Message>;
  quarantined: Quarantined[];
  accounting: IngestAccounting;
}

/** Reads every source (paths, or '-' for standard input) and assembles what it holds. */
export async function ingest(sources: readonly string[], opts: IngestOptions = {}): Promise<IngestResult> {
  return ingestMessages(readSources(sources, opts), opts);
}

/**
 * The raw messages of every source, one source after the other. All are opened first, so an
 * unreadable one throws SourceUnreadableError before anything is read.
 */
export function readSources(sources: readonly string[], opts: OpenSourceOptions = {}): AsyncGenerator<RawMessage> {
  const opened = sources.map((s) => openSource(s, opts));
  async function* all(): AsyncGenerator<RawMessage> {
    for (const o of opened) yield* o.messages;
  }
  return all();
}

/** The pipeline after the sources: for the daemon and tests, which bring their own raw messages. */
export async function ingestMessages(raws: AsyncIterable<RawMessage>, opts: Pick<IngestOptions, 'keep'> = {}): Promise<IngestResult> {
  const compact = opts.keep === 'compact';
  const ids = new Interner();
  const facts: MailFacts[] = [];
  const messagesById = new Map<string, Message>();
  const quarantined: Quarantined[] = [];
  let read = 0;
  for await (const raw of raws) {
    read++;
    if (compact) {
      const r = await readCompactMail(raw, ids);
      if ('quarantined' in r) {
        quarantined.push(r.quarantined);
        continue;
      }
      facts.push(r.mail);
      if (!messagesById.has(r.mail.messageId)) messagesById.set(r.mail.messageId, r.mail);
      continue;
    }
    const parsed = await parseMessage(raw);
    if (!parsed.ok) {
      quarantined.push({ source: raw.source, messageId: null, code: parsed.error.code, reason: parsed.error.message });
      continue;
    }
    const m = parsed.value;
    facts.push(factsOf(m));
    if (!messagesById.has(m.messageId)) messagesById.set(m.messageId, m);
  }
  const result = assemble(read, facts, messagesById, quarantined);
  if (compact) for (const [id, m] of messagesById) messagesById.set(id, slimMessage(m));
  return result;
}

function assemble(read: number, facts: MailFacts[], messagesById: Map<string, Message>, quarantined: Quarantined[]): IngestResult {
  const threads = assembleThreads(facts);
  const a = assembleSeries(facts, threads);
  let members = 0;
  let replies = 0;
  let other = 0;
  for (const role of a.roles.values()) {
    if (role === 'cover' || role === 'patch') members++;
    else if (role === 'reply') replies++;
    else other++;
  }
  const allQuarantined = [...quarantined, ...a.quarantined];
  const accounting: IngestAccounting = {
    read,
    seriesMembers: members - a.quarantined.length,
    replies,
    other,
    duplicates: a.duplicates.length,
    quarantined: allQuarantined.length,
  };
  checkAccounting(accounting);
  return { messages: read, series: a.series, threads, messagesById, quarantined: allQuarantined, accounting };
}
