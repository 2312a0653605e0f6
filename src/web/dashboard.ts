/**
 * The dashboard, served by the daemon: hono, server-rendered HTML. Every value from mail
 * (subjects, names, findings' quoted lines, Message-IDs) goes through hono's `html` template,
 * which escapes interpolations; nothing from mail is ever passed to `raw`. Charts are drawn
 * by uPlot in the browser from a JSON block whose `<` are escaped, with uPlot served from
 * node_modules (no CDN).
 *
 * Routes: / (series and charts), /series/:id (findings by patch, quoted lines), /sources
 * (cursors and lag), /healthz (JSON), /static/* (uPlot, the chart script, the stylesheet).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { ServiceStore, SeriesRow, SeriesState, CursorRow } from '../store/service-store.js';
import type { DaemonStatus } from '../service/daemon.js';

export interface DashboardDeps {
  store: ServiceStore;
  /** The running daemon's status (sources, queue); null when the dashboard runs alone. */
  status?: () => DaemonStatus | null;
  /** Outbox counts by state, for the health endpoint. */
  outboxCounts?: () => Record<string, number>;
  now?: () => Date;
}

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const require = createRequire(import.meta.url);
const uplotDir = (): string => require.resolve('uplot/dist/uPlot.iife.min.js').replace(/uPlot\.iife\.min\.js$/, '');
let uplotJs: string | null = null;
let uplotCss: string | null = null;

const STATE_LABEL: Record<SeriesState, string> = {
  waiting: 'waiting',
  reviewed: 'reviewed',
  'errors-found': 'errors found',
  'does-not-apply': 'does not apply',
  'review-failed': 'review failed',
};

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#222}
header{background:#20324a;color:#fff;padding:.6em 1em}header a{color:#fff;margin-right:1.2em;text-decoration:none}
main{padding:1em}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
.state{padding:.1em .5em;border-radius:.6em;font-size:12px;white-space:nowrap}
.state-waiting{background:#eee}.state-reviewed{background:#d8f0d8}.state-errors-found{background:#f6d2d2}.state-does-not-apply{background:#f6e5c8}.state-review-failed{background:#e5d4f0}
pre.quoted{background:#f6f8fa;padding:.5em;overflow:auto;margin:.3em 0}
.finding{margin:.6em 0 1em}.sev-error{color:#a00}.sev-warning{color:#a60}.sev-info{color:#06a}
.charts{display:flex;flex-wrap:wrap;gap:1em}.chart{min-width:420px}
.muted{color:#777}
`;

function layout(title: string, body: Html): Html {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title} - bpf-review</title>
<link rel="stylesheet" href="/static/style.css"><link rel="stylesheet" href="/static/uPlot.min.css"></head>
<body><header><a href="/">Series</a><a href="/sources">Sources</a><a href="/healthz">Health</a></header>
<main>${body}</main></body></html>`;
}

const seriesHref = (id: string): string => `/series/${encodeURIComponent(id)}`;

function stateBadge(s: SeriesState): Html {
  return html`<span class="state state-${s}">${STATE_LABEL[s]}</span>`;
}

/** JSON for a <script type="application/json"> block: '<' escaped so mail text cannot close it. */
export function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Days x rules matrix for uPlot: x = day (unix seconds), one series per rule. */
export function findingsChartData(rows: { day: string; ruleId: string; count: number }[]): { rules: string[]; x: number[]; ys: number[][] } {
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const rules = [...new Set(rows.map((r) => r.ruleId))].sort();
  const ys = rules.map((rule) => days.map((d) => rows.find((r) => r.day === d && r.ruleId === rule)?.count ?? 0));
  return { rules, x: days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000), ys };
}

function lagSeconds(c: CursorRow | undefined, now: Date): number | null {
  return c ? Math.max(0, Math.round((now.getTime() - c.updatedAt.getTime()) / 1000)) : null;
}

export function createDashboard(deps: DashboardDeps): Hono {
  const app = new Hono();
  const now = deps.now ?? (() => new Date());

  app.get('/static/uPlot.iife.min.js', (c) => {
    uplotJs ??= readFileSync(`${uplotDir()}uPlot.iife.min.js`, 'utf8');
    return c.body(uplotJs, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'max-age=86400' });
  });
  app.get('/static/uPlot.min.css', (c) => {
    uplotCss ??= readFileSync(`${uplotDir()}uPlot.min.css`, 'utf8');
    return c.body(uplotCss, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=86400' });
  });
  app.get('/static/style.css', (c) => c.body(STYLE, 200, { 'content-type': 'text/css; charset=utf-8' }));
  app.get('/static/charts.js', (c) => c.body(CHARTS_JS, 200, { 'content-type': 'text/javascript; charset=utf-8' }));

  app.get('/', async (c) => {
    const stateParam = c.req.query('state');
    const state = stateParam && stateParam in STATE_LABEL ? (stateParam as SeriesState) : undefined;
    const series = await deps.store.listSeries({ limit: 500, ...(state ? { state } : {}) });
    const chart = findingsChartData(await deps.store.findingsPerRuleDaily());
    const agreement = (await deps.store.agreement()).map((a) => ({ t: a.measuredAt.getTime() / 1000, verdict: a.programs ? (100 * a.verdictAgree) / a.programs : 0, message: a.programs ? (100 * a.messageAgree) / a.programs : 0 }));
    const rows = series.map(
      (s: SeriesRow) => html`<tr>
<td>${stateBadge(s.state)}</td>
<td><a class="series-link" href="${seriesHref(s.id)}">${s.subject}</a>${s.missing.length > 0 ? html` <span class="muted">(missing ${s.missing.join(', ')})</span>` : ''}</td>
<td>v${s.revision}</td><td>${s.author ?? ''}</td><td>${s.updatedAt.toISOString().replace('T', ' ').slice(0, 16)}</td></tr>`,
    );
    const filters = (Object.keys(STATE_LABEL) as SeriesState[]).map((k) => html`<a href="/?state=${k}">${STATE_LABEL[k]}</a> `);
    return c.html(
      layout(
        'Series',
        html`<h1>Series</h1><p>Show: <a href="/">all</a> ${filters}</p>
<table id="series"><thead><tr><th>state</th><th>subject</th><th>rev</th><th>author</th><th>updated (UTC)</th></tr></thead>
<tbody>${rows.length > 0 ? rows : html`<tr><td colspan="5" class="muted">no series yet</td></tr>`}</tbody></table>
<h2>Findings per rule over time</h2><div class="charts"><div class="chart" id="chart-findings"></div></div>
<h2>Verifier model agreement with the selftests</h2><div class="charts"><div class="chart" id="chart-agreement"></div></div>
${agreement.length === 0 ? html`<p class="muted">no agreement figures recorded yet</p>` : ''}
<script type="application/json" id="chart-data">${raw(scriptJson({ findings: chart, agreement }))}</script>
<script src="/static/uPlot.iife.min.js"></script><script src="/static/charts.js"></script>`,
      ),
    );
  });

  app.get('/series/:id', async (c) => {
    const id = c.req.param('id');
    const s = await deps.store.series(id);
    if (!s) return c.html(layout('Not found', html`<h1>No series ${id}</h1>`), 404);
    const reviews = await deps.store.reviews(id);
    const latest = reviews[reviews.length - 1];
    const byPatch = new Map<number, NonNullable<typeof latest>['findings']>();
    for (const f of latest?.findings ?? []) byPatch.set(f.patch, [...(byPatch.get(f.patch) ?? []), f]);
    const patches = [...byPatch].sort((a, b) => a[0] - b[0]).map(
      ([patch, fs]) => html`<section class="patch"><h3>${patch === 0 ? 'Series' : `Patch ${patch}/${s.total}`}</h3>
${fs.map(
  (f, i) => html`<div class="finding" id="finding-${patch}-${i}"><div><strong class="sev-${f.severity}">${f.severity}</strong> <code>${f.ruleId}</code>
${f.file ? html` in <code>${f.file}${f.line !== null ? `:${f.line}` : ''}</code>` : ''}</div>
${f.quoted.length > 0 ? html`<pre class="quoted">${f.quoted.join('\n')}</pre>` : ''}
<p class="message">${f.message}</p>${f.source ? html`<p class="muted">${f.source}</p>` : ''}</div>`,
)}</section>`,
    );
    const history = reviews.map((r) => html`<li>${r.reviewedAt.toISOString()}: ${r.reason === 'deadline' ? `at the deadline, missing ${r.missing.join(', ')}` : 'complete'}; ${r.findings.length} findings${r.errors.length > 0 ? html`; errors: ${r.errors.map((e) => `${e.code}: ${e.message}`).join('; ')}` : ''}</li>`);
    return c.html(
      layout(
        s.subject,
        html`<h1 id="subject">${s.subject}</h1>
<p>${stateBadge(s.state)} v${s.revision}, ${s.total} patch${s.total === 1 ? '' : 'es'}; ${s.author ?? ''}; <code>${s.id}</code></p>
${s.missing.length > 0 ? html`<p>Missing: ${s.missing.join(', ')} (deadline ${s.deadline.toISOString()})</p>` : ''}
${latest && latest.notRun.length > 0 ? html`<p class="muted">Not checked: ${latest.notRun.join('; ')}</p>` : ''}
<h2>Findings</h2>${patches.length > 0 ? patches : html`<p class="muted">${latest ? 'no findings' : 'not reviewed yet'}</p>`}
<h2>Reviews</h2><ul>${history}</ul>`,
      ),
    );
  });

  app.get('/sources', async (c) => {
    const cursors = await deps.store.cursors();
    const st = deps.status?.() ?? null;
    const names = [...new Set([...(st?.sources.map((s) => s.name) ?? []), ...cursors.map((x) => x.source)])];
    const t = now();
    const rows = names.map((n) => {
      const cur = cursors.find((x) => x.source === n);
      const live = st?.sources.find((x) => x.name === n);
      const lag = lagSeconds(cur, t);
      return html`<tr><td>${n}</td><td>${live?.kind ?? ''}</td><td><code>${cur?.cursor ?? '-'}</code></td><td>${lag === null ? '-' : `${lag} s`}</td>
<td>${cur?.lastMessageAt?.toISOString() ?? '-'}</td><td>${live?.lastPollAt?.toISOString() ?? '-'}</td><td>${live?.lastError ?? ''}</td></tr>`;
    });
    return c.html(
      layout(
        'Sources',
        html`<h1>Sources</h1><table><thead><tr><th>name</th><th>kind</th><th>cursor</th><th>cursor age</th><th>last message stored</th><th>last poll</th><th>error</th></tr></thead><tbody>${rows}</tbody></table>`,
      ),
    );
  });

  app.get('/healthz', async (c) => {
    const st = deps.status?.() ?? null;
    const t = now();
    const cursors = await deps.store.cursors();
    const sources = (st?.sources ?? cursors.map((x) => ({ name: x.source, kind: '', lastPollAt: null, lastError: null }))).map((s) => {
      const cur = cursors.find((x) => x.source === s.name);
      return {
        name: s.name,
        kind: s.kind,
        cursor: cur?.cursor ?? null,
        lagSeconds: lagSeconds(cur, t),
        lastPollAt: s.lastPollAt?.toISOString() ?? null,
        lastError: s.lastError,
      };
    });
    const ok = sources.every((s) => s.lastError === null) && (st?.lastError ?? null) === null;
    return c.json(
      {
        ok,
        messages: await deps.store.messageCount(),
        reviews: await deps.store.reviewCount(),
        queueDepth: st?.queueDepth ?? 0,
        waiting: st?.waiting ?? 0,
        outbox: deps.outboxCounts?.() ?? {},
        sources,
        lastError: st?.lastError ?? null,
      },
      ok ? 200 : 503,
    );
  });

  return app;
}

/** The browser side of the charts: reads #chart-data and draws with uPlot (served from node_modules). */
const CHARTS_JS = `(function () {
  var el = document.getElementById('chart-data');
  if (!el || typeof uPlot === 'undefined') return;
  var data = JSON.parse(el.textContent);
  var colours = ['#c0392b', '#2980b9', '#27ae60', '#8e44ad', '#d35400', '#16a085', '#2c3e50', '#f39c12'];
  var f = data.findings;
  var fEl = document.getElementById('chart-findings');
  if (f.x.length > 0 && fEl) {
    new uPlot({ title: 'findings per rule per day', width: 640, height: 260,
      series: [{}].concat(f.rules.map(function (r, i) { return { label: r, stroke: colours[i % colours.length], width: 2 }; })) },
      [f.x].concat(f.ys), fEl);
  } else if (fEl) { fEl.textContent = 'no findings yet'; }
  var a = data.agreement;
  var aEl = document.getElementById('chart-agreement');
  if (a.length > 0 && aEl) {
    new uPlot({ title: 'agreement (%)', width: 640, height: 260, scales: { y: { range: [0, 100] } },
      series: [{}, { label: 'verdict', stroke: '#27ae60', width: 2 }, { label: 'message', stroke: '#2980b9', width: 2 }] },
      [a.map(function (p) { return p.t; }), a.map(function (p) { return p.verdict; }), a.map(function (p) { return p.message; })], aEl);
  }
  window.__chartsDrawn = true;
})();
`;
