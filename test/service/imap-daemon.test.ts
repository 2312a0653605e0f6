/**
 * The daemon following a real IMAP mailbox (Debian's Dovecot) through the live IMAP source:
 * series appended with IMAP APPEND are reviewed and answered at the SMTP server once, the
 * cursor (UIDVALIDITY:UID) is stored with the messages, and a restart repeats nothing.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { validateServeConfig } from '../../src/app/config.js';
import { startService } from '../../src/app/serve.js';
import type { Finding, Series, SeriesReview } from '../../src/model/index.js';
import { hasDovecot, startDovecot } from '../support/servers/dovecot.js';
import { startListSmtpServer } from './support/list-smtp-server.js';
import { seriesMails } from './support/mail-stream.js';

async function review(series: Series): Promise<SeriesReview> {
  const findings: Finding[] = series.patches.map((p) => ({ ruleId: 't', severity: 'warning', patch: p.counter, messageId: p.messageId, file: null, line: null, message: 'a point', fingerprint: `${series.id}|${p.counter}` }));
  return { seriesId: series.id, subject: series.subject, revision: series.revision, messageId: series.id, findings, notRun: [], errors: [] };
}

const waitFor = async (cond: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe.skipIf(!hasDovecot)('daemon on an IMAP mailbox (Dovecot)', () => {
  it('reviews and answers what is appended, once, across a restart', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpf-review-imapd-'));
    const dovecot = await startDovecot();
    const smtp = await startListSmtpServer();
    try {
      const config = validateServeConfig(
        {
          store: { sqlite: 'store.sqlite' },
          sources: [{ name: 'imap', kind: 'imap', host: '127.0.0.1', port: dovecot.port, user: dovecot.user, password: dovecot.password }],
          pollMs: 100,
          completion: { waitMinutes: 60 },
          mail: { send: true, from: { name: 'bot', address: 'bot@review.example' }, messageIdDomain: 'review.example', smtp: { host: '127.0.0.1', port: smtp.port, ignoreTLS: true }, lists: { 'bpf@vger.kernel.org': { mode: 'author+list' } } },
          http: false,
        },
        dir,
      );
      const log = pino({ level: 'silent' });
      let svc = await startService(config, { review, log });
      for (const m of [...seriesMails(1, 2), ...seriesMails(2, 1)]) await dovecot.append(m.bytes);
      await waitFor(() => smtp.received.length >= 3);
      await waitFor(async () => (await svc.store.cursors())[0]?.cursor.endsWith(':5') ?? false);
      expect(await svc.store.reviewCount()).toBe(2);
      await svc.stop();

      svc = await startService(config, { review, log });
      for (const m of seriesMails(3, 1)) await dovecot.append(m.bytes);
      await waitFor(() => smtp.received.length >= 4);
      await new Promise((r) => setTimeout(r, 300));
      expect(smtp.received).toHaveLength(4);
      expect(new Set(smtp.received.map((r) => r.messageId)).size).toBe(4);
      expect(await svc.store.messageCount()).toBe(7);
      expect(await svc.store.reviewCount()).toBe(3);
      await svc.stop();
    } finally {
      await smtp.close();
      await dovecot.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
