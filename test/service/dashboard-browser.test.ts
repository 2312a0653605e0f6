/**
 * The dashboard in Debian's Chromium (playwright-core, no downloaded browser): pages render,
 * a click from the series list leads to a finding, a screenshot is taken, and a subject
 * carrying <script> renders as text without running. Skipped when /usr/bin/chromium is absent.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { chromium } from 'playwright-core';
import { openStore } from '../../src/store/open-store.js';
import { SqliteServiceStore } from '../../src/store/service-store.js';
import { createDashboard } from '../../src/web/dashboard.js';

const CHROMIUM = '/usr/bin/chromium';
const T = new Date(Date.UTC(2024, 5, 1, 12));
const EVIL = '[PATCH bpf-next 0/1] bpf: <script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';

describe.skipIf(!existsSync(CHROMIUM))('dashboard in Chromium', () => {
  it('renders, clicks through to a finding, takes a screenshot, and never runs mail text', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpf-review-browser-'));
    const base = openStore(':memory:');
    base.migrate();
    const store = new SqliteServiceStore(base);
    const rows = [
      { id: 'evil@example.org', subject: EVIL, state: 'errors-found' as const },
      { id: 'fine@example.org', subject: '[PATCH bpf-next v3 0/2] bpf: add bpf_list_peek kfunc', state: 'reviewed' as const },
    ];
    await store.saveSeries(rows.map((r) => ({ ...r, title: r.subject, revision: 3, total: 2, author: 'Dev <dev@example.org>', missing: [], firstSeen: T, deadline: T, contentHash: 'h', previous: null, updatedAt: T })));
    for (const [i, r] of rows.entries()) {
      await store.recordReview({
        seriesId: r.id, revision: 3, contentHash: 'h', reason: 'complete', missing: [], reviewedAt: new Date(T.getTime() - i * 86_400_000), notRun: [], errors: [],
        findings: [{ ruleId: i === 0 ? 'kf-release' : 'kf-acquire', severity: 'error', patch: 1, messageId: `${r.id}-1`, file: 'kernel/bpf/helpers.c', line: 40, message: `Finding for ${r.id}: <b>not bold</b>`, fingerprint: `f${i}`, quoted: ['+__bpf_kfunc struct bpf_list_node *bpf_list_peek(<head>)'] }],
      });
    }
    const app = createDashboard({ store });
    let server: ServerType | null = null;
    const url = await new Promise<string>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => resolve(`http://127.0.0.1:${info.port}`));
    });
    // a new empty profile (playwright passes it as --user-data-dir)
    const browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url + '/');
      await expect.poll(() => page.locator('table#series tbody tr').count()).toBe(2);
      // the subject is text: the <script> is shown, not run, and no <img> was made of it
      const text = await page.locator('table#series').innerText();
      expect(text).toContain('<script>window.__pwned = 1</script>');
      expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.locator('table#series img').count()).toBe(0);
      // uPlot (served from node_modules) drew the findings chart
      await expect.poll(() => page.evaluate(() => (globalThis as unknown as { __chartsDrawn?: boolean }).__chartsDrawn === true)).toBe(true);
      expect(await page.locator('#chart-findings canvas').count()).toBe(1);

      const shot = join(dir, 'series.png');
      await page.screenshot({ path: shot, fullPage: true });
      const png = readFileSync(shot);
      expect(png.length).toBeGreaterThan(1000);
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      if (process.env.KEEP_SCREENSHOT) await page.screenshot({ path: process.env.KEEP_SCREENSHOT, fullPage: true });

      // click through to the evil series and see its finding with the quoted line
      await page.locator('a.series-link', { hasText: 'window.__pwned' }).click();
      await page.waitForURL(/\/series\//);
      expect(await page.locator('h1#subject').innerText()).toBe(EVIL);
      const finding = page.locator('.finding').first();
      expect(await finding.locator('pre.quoted').innerText()).toBe('+__bpf_kfunc struct bpf_list_node *bpf_list_peek(<head>)');
      expect(await finding.locator('.message').innerText()).toBe('Finding for evil@example.org: <b>not bold</b>');
      expect(await finding.locator('b').count()).toBe(0);
      expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      if (process.env.KEEP_SCREENSHOT) await page.screenshot({ path: process.env.KEEP_SCREENSHOT.replace(/\.png$/, '-series.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      const srv = server as ServerType | null;
      if (srv) await new Promise<void>((r) => srv.close(() => r()));
      base.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
