import { seriesDefaults, type Address, type Finding, type Message, type Patch, type Series, type SeriesReview } from '../../../src/model/index.js';
import { parseMessage, parseSubject } from '../../../src/ingest/mail/index.js';
import { parsePatchBody } from '../../../src/ingest/diff/parse-patch-body.js';
import { readMboxFile } from '../../../src/ingest/sources/read-mbox-file.js';

/** Parse every message of an mbox with the project's own ingest functions. */
export async function readMessages(path: string): Promise<Message[]> {
  const out: Message[] = [];
  for await (const raw of readMboxFile(path)) {
    const r = await parseMessage(raw);
    if (!r.ok) throw r.error;
    out.push(r.value);
  }
  return out;
}

/** A Patch from a parsed patch mail (counter from the subject). */
export function patchOf(m: Message): Patch {
  const body = parsePatchBody(m.body);
  if (!body.ok) throw body.error;
  const subj = parseSubject(m.subject);
  return { ...body.value, counter: subj.counter ?? 1, messageId: m.messageId, subject: m.subject, author: m.from, date: m.date, replies: [] };
}

/** A Series around some patches, the way the assembler would build it (enough for rendering). */
export function seriesOf(patches: Patch[], opts: { cover?: Message; total?: number; id?: string } = {}): Series {
  const first = patches[0]!;
  const subj = parseSubject(opts.cover?.subject ?? first.subject);
  return {
    id: opts.id ?? opts.cover?.messageId ?? first.messageId,
    subject: opts.cover?.subject ?? first.subject,
    title: subj.title,
    revision: subj.revision,
    total: opts.total ?? subj.total ?? patches.length,
    tree: subj.tree,
    rfc: subj.rfc,
    resend: subj.resend,
    author: opts.cover?.from ?? first.author,
    date: opts.cover?.date ?? first.date,
    cover: opts.cover
      ? { messageId: opts.cover.messageId, subject: opts.cover.subject, body: opts.cover.body, baseCommit: null, changeId: null }
      : null,
    patches,
    ...seriesDefaults(),
  };
}

export function reviewOf(series: Series, findings: Finding[], notRun: string[] = []): SeriesReview {
  return { seriesId: series.id, subject: series.subject, revision: series.revision, messageId: series.id, findings, notRun, errors: [] };
}

export const BOT: Address = { name: 'bpf-review', address: 'bpf-review@bpf-review.example' };

export function finding(p: Partial<Finding> & Pick<Finding, 'ruleId' | 'message'>): Finding {
  return {
    severity: 'warning',
    patch: 1,
    messageId: 'patch1@example.org',
    file: null,
    line: null,
    fingerprint: `${p.ruleId}:${p.file ?? ''}:${p.line ?? ''}`,
    ...p,
  };
}
