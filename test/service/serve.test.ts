import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { validateServeConfig } from '../../src/app/config.js';
import { startService } from '../../src/app/serve.js';
import type { Series, SeriesReview } from '../../src/model/index.js';
import { mboxEntry, seriesMails } from './support/mail-stream.js';

const review = async (s: Series): Promise<SeriesReview> => ({ seriesId: s.id, subject: s.subject, revision: s.revision, messageId: s.id, findings: [{ ruleId: 'r', severity: 'warning', patch: 1, messageId: s.patches[0]!.messageId, file: null, line: null, message: 'm', fingerprint: 'f' }], notRun: [], errors: [] });

describe('startService (SQLite, dry run)', () => {
  it('serves the dashboard and /healthz, queues replies without sending them, and records the model agreement of its tree', { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpf-review-serve-'));
    try {
      appendFileSync(join(dir, 'list.mbox'), Buffer.concat(seriesMails(1, 1).map((m) => mboxEntry(m.bytes))));
      const config = validateServeConfig(
        {
          sources: [{ name: 'list', kind: 'mbox', path: 'list.mbox' }],
          pollMs: 50,
          review: { tree: join(import.meta.dirname, '..', '..', 'examples', 'tree') },
          mail: { lists: { 'bpf@vger.kernel.org': { mode: 'author+list' } } },
          http: { port: 0 },
        },
        dir,
      );
      const svc = await startService(config, { review, log: pino({ level: 'silent' }) });
      try {
        expect(svc.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const end = Date.now() + 10_000;
        let health: { messages: number; reviews: number; outbox: Record<string, number>; sources: { name: string; cursor: string | null }[] } | null = null;
        while (Date.now() < end) {
          health = (await (await fetch(`${svc.url}/healthz`)).json()) as typeof health;
          if (health!.reviews === 1 && (await svc.store.agreement()).length === 1) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(health).toMatchObject({ messages: 2, reviews: 1, outbox: { pending: 1 }, sources: [{ name: 'list' }] });
        const page = await (await fetch(`${svc.url}/`)).text();
        expect(page).toContain('bpf: change number 1');
        expect(page).toContain('"agreement":[{');
      } finally {
        await svc.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
