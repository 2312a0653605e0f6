/**
 * Service latency: a patch series appended to the list (an IMAP mailbox on a real Dovecot, and
 * separately a public-inbox v2 archive written by the real public-inbox-mda) until the daemon's
 * reply reaches the SMTP server (npm smtp-server on 127.0.0.1). p50 and p95 over BENCH_SERIES
 * series (default 100), one after the other. Printed from the start of the append (APPEND sent /
 * public-inbox-mda started: the conservative figure) and from the append's end.
 *
 *   npx tsc -p . && node dist/bench/latency.js [imap|public-inbox|both]
 *   BENCH_REVIEW=real ...   the real review pipeline (diff-only) instead of the test reviewer; each
 *                           patch then carries a real finding (a NULL check of the wrong variable)
 *
 * The daemon runs in this process (startService, SQLite store, real sources, outbox, SMTP
 * sender); the review step is the deterministic test reviewer (one finding per patch), so the
 * figure is the service's own latency (ingest, assembly, completion, review bookkeeping, outbox,
 * SMTP), not the rule engine's. Each series is a cover letter and one patch; the clock stops
 * when the SMTP server has the reply's DATA.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Finding, Message, Series, SeriesReview } from '../src/model/index.js';
import { reviewSeries } from '../src/pipeline/review-series.js';
import { validatePolicy } from '../src/publish/smtp/mail-policy.js';
import { validateServeConfig, type ServeConfig } from '../src/app/config.js';
import { startService } from '../src/app/serve.js';
import { startDovecot, hasDovecot } from '../test/support/servers/dovecot.js';
import { makePublicInbox, hasPublicInbox } from '../test/support/servers/public-inbox.js';
import { startListSmtpServer } from '../test/service/support/list-smtp-server.js';
import { seriesMails } from '../test/service/support/mail-stream.js';

const N = Number(process.env.BENCH_SERIES ?? 100);
/** BENCH_REVIEW=real: the real review pipeline (diff-only) over patches that carry a real finding. */
const REAL = process.env.BENCH_REVIEW === 'real';
const REAL_MAIL = {
  file: () => 'kernel/bpf/verifier.c',
  added: (k: number, c: number) => [`static int bench_${k}_${c}(struct bpf_reg_state *reg)`, '{', '\tstruct btf_record *rec;', '', '\trec = reg_btf_record(reg);', '\tif (!reg)', '\t\treturn -EINVAL;', '\treturn rec->cnt;', '}'],
};

async function review(series: Series): Promise<SeriesReview> {
  const findings: Finding[] = [];
  for (const p of series.patches) {
    const f = p.files[0];
    const line = f?.hunks[0]?.lines.find((l) => l.kind === 'add');
    if (f && line) findings.push({ ruleId: 'bench', severity: 'warning', patch: p.counter, messageId: p.messageId, file: f.newPath, line: line.newLine, message: 'bench finding', fingerprint: `${series.id}|${p.counter}` });
  }
  return { seriesId: series.id, subject: series.subject, revision: series.revision, messageId: series.id, findings, notRun: [], errors: [] };
}

async function realReview(series: Series, ctx: { messages: Map<string, Message> }): Promise<SeriesReview> {
  return reviewSeries(series, { messages: ctx.messages });
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

interface Sample {
  /** From the start of the APPEND / public-inbox-mda run. */
  fromStart: number;
  /** From the moment the append returned (0 when the reply came first). */
  fromStored: number;
  append: number;
}

async function measure(kind: 'imap' | 'public-inbox'): Promise<Sample[]> {
  const dir = mkdtempSync(join(tmpdir(), `bpf-review-latency-${kind}-`));
  const smtp = await startListSmtpServer();
  const waiters = new Map<string, (t: number) => void>();
  const seen = new Set<string>();
  const poll = setInterval(() => {
    for (const r of smtp.received) {
      const to = /^In-Reply-To:\s*<([^>]+)>/im.exec(r.raw.toString('utf8'))?.[1];
      if (to && !seen.has(to)) {
        seen.add(to);
        waiters.get(to)?.(performance.now());
      }
    }
  }, 2);
  const dovecot = kind === 'imap' ? await startDovecot() : null;
  const inbox = kind === 'public-inbox' ? await makePublicInbox([], { indexLevel: 'basic' }) : null;
  const source =
    kind === 'imap'
      ? { name: 'imap', kind: 'imap', host: '127.0.0.1', port: dovecot!.port, user: dovecot!.user, password: dovecot!.password }
      : { name: 'lore', kind: 'public-inbox', path: inbox!.dir };
  const config: ServeConfig = validateServeConfig(
    {
      store: { sqlite: join(dir, 'store.sqlite') },
      sources: [source],
      pollMs: 100,
      completion: { waitMinutes: 60 },
      mail: { send: true, from: { name: 'bpf-review', address: 'bot@review.example' }, messageIdDomain: 'review.example', smtp: { host: '127.0.0.1', port: smtp.port, ignoreTLS: true }, lists: { 'bpf@vger.kernel.org': { mode: 'author+list', maxPerHour: 100000 } } },
      http: false,
    },
    dir,
  );
  void validatePolicy;
  const svc = await startService(config, { review: REAL ? realReview : review, log: pino({ level: 'warn' }, pino.destination(2)) });
  const out: Sample[] = [];
  try {
    for (let k = 0; k < N; k++) {
      const [cover, patch] = seriesMails(10_000 + k, 1, REAL ? REAL_MAIL : {});
      const append = async (raw: Buffer): Promise<void> => {
        if (dovecot) await dovecot.append(raw);
        else await inbox!.add(raw);
      };
      await append(cover!.bytes);
      const got = new Promise<number>((resolve, reject) => {
        waiters.set(patch!.messageId, resolve);
        setTimeout(() => reject(new Error(`no reply to ${patch!.messageId} within 30 s`)), 30_000).unref();
      });
      const t0 = performance.now();
      await append(patch!.bytes);
      const t1 = performance.now();
      const t2 = await got;
      out.push({ fromStart: t2 - t0, fromStored: Math.max(0, t2 - t1), append: t1 - t0 });
      if ((k + 1) % 20 === 0) process.stderr.write(`${kind}: ${k + 1}/${N}\n`);
    }
  } finally {
    clearInterval(poll);
    await svc.stop();
    await dovecot?.stop();
    await inbox?.remove();
    await smtp.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

const which = process.argv[2] ?? 'both';
for (const kind of ['imap', 'public-inbox'] as const) {
  if (which !== 'both' && which !== kind) continue;
  if (kind === 'imap' && !hasDovecot) {
    console.log('imap: skipped (dovecot-imapd is not installed)');
    continue;
  }
  if (kind === 'public-inbox' && !hasPublicInbox) {
    console.log('public-inbox: skipped (public-inbox is not installed)');
    continue;
  }
  const samples = await measure(kind);
  const line = (label: string, xs: number[]): string => `${label}: p50 ${pct(xs, 50).toFixed(0)} ms, p95 ${pct(xs, 95).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;
  console.log(`${kind}: ${samples.length} series`);
  console.log(`  ${line('append started -> reply at SMTP', samples.map((s) => s.fromStart))}`);
  console.log(`  ${line('append done    -> reply at SMTP', samples.map((s) => s.fromStored))}`);
  console.log(`  ${line('the append itself', samples.map((s) => s.append))}`);
}
