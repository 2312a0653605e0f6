import { describe, expect, it } from 'vitest';
import { openStore } from '../store/open-store.js';
import { SqliteServiceStore, type SeriesRow } from '../store/service-store.js';
import { createDashboard, findingsChartData, scriptJson } from './dashboard.js';

const T = new Date(Date.UTC(2024, 5, 1, 12));
const EVIL = '[PATCH bpf-next 0/1] bpf: <script>window.__pwned = 1</script> & "quotes"';

async function seeded() {
  const base = openStore(':memory:');
  base.migrate();
  const store = new SqliteServiceStore(base);
  const row = (id: string, subject: string, state: SeriesRow['state'], missing: number[] = []): SeriesRow => ({
    id, subject, title: subject, revision: 2, total: 2, author: 'Dev <dev@example.org>', state, missing, firstSeen: T, deadline: new Date(T.getTime() + 60_000), contentHash: 'h', previous: null, updatedAt: T,
  });
  await store.saveSeries([row('evil@example.org', EVIL, 'errors-found'), row('wait@example.org', '[PATCH 1/2] bpf: waits', 'waiting', [2])]);
  await store.recordReview({
    seriesId: 'evil@example.org', revision: 2, contentHash: 'h', reason: 'complete', missing: [], reviewedAt: T, notRun: ['no kernel tree'], errors: [],
    findings: [{ ruleId: 'kf-release', severity: 'error', patch: 1, messageId: 'p1@example.org', file: 'kernel/bpf/helpers.c', line: 12, message: 'Releases </p><b>twice</b>', fingerprint: 'f1', quoted: [' int a;', '+\tbpf_obj_drop(<x>);'] }],
  });
  await store.addMessages('lore', [{ messageId: 'p1@example.org', origin: 'x#1', raw: Buffer.from('x') }], '0:abc', T);
  await store.recordAgreement({ measuredAt: T, kernel: 'v6.9', programs: 10, verdictAgree: 9, messageAgree: 8 });
  return { store, app: createDashboard({ store, now: () => new Date(T.getTime() + 30_000), outboxCounts: () => ({ sent: 3 }) }) };
}

describe('dashboard', () => {
  it('lists series with their state and escapes mail text everywhere', async () => {
    const { app } = await seeded();
    const res = await app.request('/');
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain('errors found');
    expect(body).toContain('waiting');
    expect(body).toContain('(missing 2)');
    expect(body).not.toContain('<script>window.__pwned');
    expect(body).toContain('&lt;script&gt;window.__pwned = 1&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(body).toContain(`href="/series/${encodeURIComponent('evil@example.org')}"`);
    expect(body).toContain('<script src="/static/uPlot.iife.min.js"></script>');
    // the chart data block cannot be closed by text inside it
    const json = /<script type="application\/json" id="chart-data">([^<]*)<\/script>/.exec(body)?.[1];
    expect(JSON.parse(json!)).toMatchObject({ findings: { rules: ['kf-release'], ys: [[1]] }, agreement: [{ verdict: 90, message: 80 }] });
    expect((await (await app.request('/?state=waiting')).text())).not.toContain('__pwned');
  });

  it('shows a series\' findings by patch with the quoted lines, escaped', async () => {
    const { app } = await seeded();
    const res = await app.request(`/series/${encodeURIComponent('evil@example.org')}`);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain('Patch 1/2');
    expect(body).toContain('<pre class="quoted"> int a;\n+\tbpf_obj_drop(&lt;x&gt;);</pre>');
    expect(body).toContain('Releases &lt;/p&gt;&lt;b&gt;twice&lt;/b&gt;');
    expect(body).toContain('Not checked: no kernel tree');
    expect(body).not.toMatch(/<script>window/);
    expect((await app.request('/series/nope')).status).toBe(404);
    expect(await (await app.request('/series/%3Cb%3Ex')).text()).toContain('No series &lt;b&gt;x');
  });

  it('serves health as JSON with source lag and queue depth, the sources page, and uPlot from node_modules', async () => {
    const { app } = await seeded();
    const h = await app.request('/healthz');
    expect(h.status).toBe(200);
    expect(await h.json()).toMatchObject({ ok: true, messages: 1, reviews: 1, queueDepth: 0, outbox: { sent: 3 }, sources: [{ name: 'lore', cursor: '0:abc', lagSeconds: 30 }] });
    expect(await (await app.request('/sources')).text()).toContain('<code>0:abc</code>');
    const js = await app.request('/static/uPlot.iife.min.js');
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect((await js.text()).length).toBeGreaterThan(10_000);
    expect((await app.request('/static/uPlot.min.css')).status).toBe(200);
    expect(await (await app.request('/static/charts.js')).text()).toContain('new uPlot');
  });

  it('reports an unhealthy source with 503', async () => {
    const base = openStore(':memory:');
    base.migrate();
    const store = new SqliteServiceStore(base);
    const app = createDashboard({
      store,
      status: () => ({ startedAt: T, ticks: 1, messages: 0, series: 0, waiting: 0, queueDepth: 2, lastDelivery: null, lastError: null, sources: [{ name: 'imap', kind: 'maildir', lastPollAt: T, lastError: 'connection refused' }] }),
    });
    const h = await app.request('/healthz');
    expect(h.status).toBe(503);
    expect(await h.json()).toMatchObject({ ok: false, queueDepth: 2, sources: [{ name: 'imap', lastError: 'connection refused', lagSeconds: null }] });
  });
});

describe('chart helpers', () => {
  it('builds a day x rule matrix with zeros for days a rule had none', () => {
    expect(findingsChartData([{ day: '2024-01-02', ruleId: 'b', count: 2 }, { day: '2024-01-01', ruleId: 'a', count: 1 }])).toEqual({
      rules: ['a', 'b'], x: [Date.UTC(2024, 0, 1) / 1000, Date.UTC(2024, 0, 2) / 1000], ys: [[1, 0], [0, 2]],
    });
  });
  it('escapes what could end a script block', () => {
    const s = scriptJson({ t: '</script><script>x()</script>&\u2028' });
    expect(s).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(s)).toEqual({ t: '</script><script>x()</script>&\u2028' });
  });
});
