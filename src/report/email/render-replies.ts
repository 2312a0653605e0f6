import { createHash } from 'node:crypto';
import type { Address, Finding, Message, Patch, Series, SeriesReview } from '../../model/index.js';
import { commentText, wrapComment } from './format-comment.js';
import { foldAddressList, foldHeader, foldIdList, formatRfc5322Date, isAscii } from './mail-headers.js';
import { placeFinding, quoteWithComments, type Placed } from './quote-hunks.js';
import { chooseRecipients, type RecipientMode } from './recipients.js';
import { wrapText } from './wrap-text.js';

/** The bot's own crashes: shown in JSON/SARIF/check summaries, never mailed. */
export const INTERNAL_ERROR_RULE = 'internal-error';

export interface RenderContext {
  /** The original messages by Message-ID (for References, To and Cc), or a lookup function. */
  messages: Map<string, Message> | ((messageId: string) => Message | undefined);
  from: Address;
  reportUrl?: string;
  /** The Date header (the clock is an input). */
  date: Date;
  /** Right-hand side of our Message-IDs. */
  messageIdDomain: string;
  /** Default 'author+list' (reply-all, as a reviewer on the list does). */
  recipients?: RecipientMode;
  /** Addresses and domains ("@example.org") never put on a reply. */
  neverMail?: string[];
  /** Lines quoted above a finding's line; default 3. */
  contextLines?: number;
}

export interface RenderedReply {
  messageId: string;
  inReplyTo: string;
  references: string[];
  from: Address;
  to: Address[];
  cc: Address[];
  subject: string;
  date: Date;
  /** The exact RFC 5322 bytes, CRLF line ends. */
  raw: Buffer;
  /** 0 for the reply to the cover letter. */
  patchCounter: number;
  fingerprints: string[];
  seriesId: string;
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;
const NUMBERS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

function countWords(n: number, what: string): string {
  return `${NUMBERS[n] ?? String(n)} ${what}${n === 1 ? '' : 's'}`;
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function firstName(a: Address | null): string | null {
  const name = a?.name.trim() ?? '';
  const first = name.split(/\s+/)[0] ?? '';
  return /^[\p{L}][\p{L}'-]*$/u.test(first) ? first : null;
}

function lookup(ctx: RenderContext, id: string): Message | undefined {
  return typeof ctx.messages === 'function' ? ctx.messages(id) : ctx.messages.get(id);
}

/** Deterministic Message-ID: same series, same target, same findings -> same id (the outbox dedups on it). */
export function replyMessageId(seriesId: string, targetId: string, fingerprints: string[], domain: string): string {
  const h = createHash('sha256').update(`${seriesId}\n${targetId}\n${[...fingerprints].sort().join('\n')}`).digest('hex');
  return `bpf-review-${h.slice(0, 24)}@${domain}`;
}

interface Target {
  counter: number;
  messageId: string;
  subject: string;
  author: Address | null;
  patch: Patch | null;
  findings: Finding[];
}

function bySeverity(a: Finding, b: Finding): number {
  return SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.ruleId.localeCompare(b.ruleId) || a.fingerprint.localeCompare(b.fingerprint);
}

/** Group the mailable findings by the message they answer (series-level ones to the cover, else patch 1). */
function targets(series: Series, review: SeriesReview): Target[] {
  const mailable = review.findings.filter((f) => f.ruleId !== INTERNAL_ERROR_RULE);
  const byCounter = new Map<number, Finding[]>();
  const seriesCounter = series.cover ? 0 : (series.patches[0]?.counter ?? 0);
  for (const f of mailable) {
    const known = f.patch > 0 && series.patches.some((p) => p.counter === f.patch);
    const c = known ? f.patch : seriesCounter;
    byCounter.set(c, [...(byCounter.get(c) ?? []), f]);
  }
  const out: Target[] = [];
  for (const [counter, findings] of [...byCounter].sort((a, b) => a[0] - b[0])) {
    if (counter === 0 && series.cover) {
      out.push({ counter, messageId: series.cover.messageId, subject: series.cover.subject, author: series.author, patch: null, findings });
      continue;
    }
    const patch = series.patches.find((p) => p.counter === counter);
    if (!patch) continue; // a series with neither cover nor patches has nothing to answer
    out.push({ counter, messageId: patch.messageId, subject: patch.subject, author: patch.author, patch, findings });
  }
  return out;
}

function looseLine(f: Finding): string {
  if (f.file === null) return '';
  return f.line === null ? `In ${f.file}:\n\n` : `In ${f.file}, line ${f.line}:\n\n`;
}

function renderBody(review: SeriesReview, t: Target, ctx: RenderContext): string[] {
  const placed: Placed[] = [];
  const loose: Finding[] = [];
  for (const f of t.findings) {
    const p = t.patch && f.patch === t.counter ? placeFinding(t.patch, f) : null;
    if (p) placed.push(p);
    else loose.push(f);
  }
  loose.sort(bySeverity);
  const n = t.findings.length;
  const hello = firstName(t.author);
  const what = t.patch ? 'this patch' : 'this series';
  const blocks: string[][] = [];
  if (hello) blocks.push([`Hi ${hello},`]);
  blocks.push(
    wrapText(
      `bpf-review checked ${what} for kfunc flag, verifier state and reference ownership problems. ${capitalise(countWords(n, 'point'))} below${placed.length > 0 ? ', inline' : ''}.`,
    ),
  );
  if (t.patch && placed.length > 0) {
    const comment = (fs: Finding[]): string[] => {
      const lines: string[] = [];
      for (const f of [...fs].sort(bySeverity)) {
        if (lines.length > 0) lines.push('');
        lines.push(...wrapComment(commentText(f)));
      }
      return lines;
    };
    blocks.push(...quoteWithComments(t.patch, placed, comment, ctx.contextLines ?? 3));
  }
  for (const f of loose) {
    const prefix = f.patch > 0 && f.patch !== t.counter ? `In patch ${f.patch}: ` : '';
    blocks.push(wrapComment(`${looseLine(f)}${prefix}${commentText(f)}`));
  }
  if (review.notRun.length > 0) blocks.push(wrapText(`Not checked: ${review.notRun.map((x) => x.trim().replace(/\.$/, '')).join('; ')}.`));
  const footer = [
    '-- ',
    'bpf-review, an automated reviewer for BPF patches. It does not ack or nack;',
    'if a point is wrong, reply on the list and say why.',
  ];
  if (ctx.reportUrl) footer.push(`Full report: ${ctx.reportUrl}`);
  const out: string[] = [];
  blocks.forEach((b, i) => {
    if (i > 0) out.push('');
    out.push(...b);
  });
  out.push('', ...footer);
  return out;
}

/**
 * One reply per patch that has findings, plus one to the cover letter for series-level points.
 * Pure: the clock, the sender and the id domain are inputs.
 */
export function renderReplies(series: Series, review: SeriesReview, ctx: RenderContext): RenderedReply[] {
  const replies: RenderedReply[] = [];
  for (const t of targets(series, review)) {
    const original = lookup(ctx, t.messageId) ?? null;
    const prior = original
      ? original.references.length > 0
        ? original.references
        : original.inReplyTo
          ? [original.inReplyTo]
          : []
      : series.cover && t.counter > 0
        ? [series.cover.messageId]
        : [];
    const references = [...new Set([...prior, t.messageId])];
    const author = t.author ?? original?.from ?? null;
    const { to, cc } = chooseRecipients(author, original, ctx.from, ctx.recipients ?? 'author+list', ctx.neverMail ?? []);
    const fingerprints = [...new Set(t.findings.map((f) => f.fingerprint))].sort();
    const messageId = replyMessageId(series.id, t.messageId, fingerprints, ctx.messageIdDomain);
    const subject = /^re:/i.test(t.subject) ? t.subject : `Re: ${t.subject}`;
    const body = renderBody(review, t, ctx);
    const bodyText = body.join('\r\n') + '\r\n';
    const ascii = isAscii(bodyText);
    const headers = [
      foldAddressList('From', [ctx.from]),
      to.length > 0 ? foldAddressList('To', to) : 'To: undisclosed-recipients:;',
      ...(cc.length > 0 ? [foldAddressList('Cc', cc)] : []),
      foldHeader('Subject', subject),
      `Date: ${formatRfc5322Date(ctx.date)}`,
      `Message-ID: <${messageId}>`,
      `In-Reply-To: <${t.messageId}>`,
      foldIdList('References', references),
      'MIME-Version: 1.0',
      `Content-Type: text/plain; charset=${ascii ? 'us-ascii' : 'utf-8'}`,
      `Content-Transfer-Encoding: ${ascii ? '7bit' : '8bit'}`,
      'Auto-Submitted: auto-generated',
      'X-Mailer: bpf-review',
    ];
    const raw = Buffer.from(`${headers.join('\r\n')}\r\n\r\n${bodyText}`, 'utf8');
    replies.push({
      messageId,
      inReplyTo: t.messageId,
      references,
      from: ctx.from,
      to,
      cc,
      subject,
      date: ctx.date,
      raw,
      patchCounter: t.counter,
      fingerprints,
      seriesId: series.id,
    });
  }
  return replies;
}
