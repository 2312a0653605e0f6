import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import nock from 'nock';
import { pino } from 'pino';
import { Probot, ProbotOctokit } from 'probot';
import { createBpfReviewApp, type BpfReviewAppOptions } from '../../../src/app/probot.js';
import type { ReviewFn } from '../../../src/publish/engine-review.js';
import type { Finding } from '../../../src/model/index.js';
import { FIXTURE_BODY } from '../support/fixture-patch.js';

type Example = { action: string; installation?: { id: number }; [k: string]: any };
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples/api.github.com/index.json') as { name: string; examples: Example[] }[];
const example = (name: string, action: string): Example => {
  const e = examples.find((x) => x.name === name)!.examples.find((x) => x.action === action && x.installation);
  return structuredClone(e!);
};

const API = 'https://api.github.com';
const REPO = '/repos/Codertocat/Hello-World';
const HEAD = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
const SHA1 = '1111111111111111111111111111111111111111';
const NOW = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const SECRET = 'webhook-secret';

/** git format-patch text as GitHub serves it for a commit (our own fixture patch). */
const patchText = (sha: string, subject: string): string =>
  `From ${sha} Mon Sep 17 00:00:00 2001\nFrom: Jane Developer <jane@example.org>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nSubject: [PATCH] ${subject}\n\n${FIXTURE_BODY}`;

/** A deterministic review: `n` findings on line 13 of btf.h (the added KF_HANDOVER line), with the given severity. */
const reviewWith = (n: number, severity: Finding['severity'] = 'warning'): ReviewFn => async (series) => ({
  seriesId: series.id,
  subject: series.subject,
  revision: 1,
  messageId: series.id,
  findings: Array.from({ length: n }, (_, i) => ({
    ruleId: `rule-${i}`,
    severity,
    patch: 1,
    messageId: series.patches[0]!.messageId,
    file: 'include/linux/btf.h',
    line: 13,
    message: `Point ${i} about ${series.patches[0]!.subject}.`,
    source: 'Documentation/bpf/kfuncs.rst',
    fingerprint: `fp-${i}`,
  })),
  notRun: [],
  errors: [],
});

async function makeProbot(opts: BpfReviewAppOptions): Promise<Probot> {
  const probot = new Probot({
    appId: 123,
    privateKey,
    secret: SECRET,
    log: pino({ level: 'silent' }),
    // Probot replaces `throttle` with its own options, so force it off per instance: without this
    // the throttling plugin spaces write requests a second apart
    Octokit: ProbotOctokit.defaults((o: Record<string, any>) => ({ ...o, retry: { enabled: false }, throttle: { ...o.throttle, enabled: false } })),
  });
  await probot.load(createBpfReviewApp({ now: () => NOW, ...opts }));
  return probot.ready();
}

/** The calls every review makes before the check run is completed. */
function token(scope: nock.Scope): nock.Scope {
  return scope.post('/app/installations/1/access_tokens').reply(200, { token: 'test-token', permissions: { checks: 'write', pull_requests: 'write', contents: 'read', metadata: 'read' } });
}
function commitsAndPatch(scope: nock.Scope, number = 2): nock.Scope {
  return scope
    .get(`${REPO}/pulls/${number}/commits`)
    .query({ per_page: '100', page: '1' })
    .reply(200, [{ sha: SHA1, commit: { message: 'bpf: Add KF_HANDOVER\n\nBody.', author: { name: 'Jane Developer', email: 'jane@example.org', date: '2024-01-01T00:00:00Z' } } }])
    .get(`${REPO}/commits/${SHA1}`)
    .matchHeader('accept', 'application/vnd.github.patch')
    .reply(200, patchText(SHA1, 'bpf: Add KF_HANDOVER'), { 'content-type': 'text/plain; charset=utf-8' });
}

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
beforeEach(() => nock.cleanAll());
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
});

describe('the GitHub app', () => {
  it('on pull_request.opened creates one check run, reviews the commits, and annotates in batches of 50', async () => {
    const bodies: any[] = [];
    const api = token(nock(API))
      .get(`${REPO}/commits/${HEAD}/check-runs`)
      .query({ check_name: 'bpf-review', filter: 'all', per_page: '100' })
      .reply(200, { total_count: 0, check_runs: [] })
      .post(`${REPO}/check-runs`, (b) => {
        expect(b).toEqual({ name: 'bpf-review', head_sha: HEAD, status: 'in_progress', started_at: NOW.toISOString() });
        return true;
      })
      .reply(201, { id: 42 });
    commitsAndPatch(api)
      .patch(`${REPO}/check-runs/42`, (b) => (bodies.push(b), true))
      .times(3)
      .reply(200, { id: 42 });
    await (await makeProbot({ reviewSeries: reviewWith(120) })).receive({ id: '1', name: 'pull_request', payload: example('pull_request', 'opened') } as any);
    expect(api.isDone()).toBe(true);
    expect(bodies.map((b) => b.output.annotations.length)).toEqual([50, 50, 20]);
    expect(bodies.map((b) => b.status ?? null)).toEqual([null, null, 'completed']);
    const last = bodies[2];
    expect(last).toMatchObject({ conclusion: 'neutral', completed_at: NOW.toISOString(), output: { title: '120 warnings' } });
    expect(last.output.summary).toContain('### 1/1: bpf: Add KF\\_HANDOVER');
    expect(last.output.annotations[0]).toEqual({
      path: 'include/linux/btf.h', start_line: 13, end_line: 13, annotation_level: 'warning', title: 'rule-100',
      message: 'Point 100 about bpf: Add KF_HANDOVER.', raw_details: 'See Documentation/bpf/kfuncs.rst',
    });
  });

  it('on synchronize reuses the existing check run and sends only annotations it does not have', async () => {
    let done: any = null;
    const api = token(nock(API))
      .get(`${REPO}/commits/${HEAD}/check-runs`)
      .query(true)
      .reply(200, { total_count: 1, check_runs: [{ id: 77, name: 'bpf-review', head_sha: HEAD }] })
      .patch(`${REPO}/check-runs/77`, (b) => {
        expect(b).toEqual({ status: 'in_progress', started_at: NOW.toISOString() });
        return true;
      })
      .reply(200, { id: 77 });
    commitsAndPatch(api)
      .get(`${REPO}/check-runs/77/annotations`)
      .query({ per_page: '100', page: '1' })
      .reply(200, [{ path: 'include/linux/btf.h', start_line: 13, end_line: 13, title: 'rule-0', message: 'Point 0 about bpf: Add KF_HANDOVER.', annotation_level: 'failure' }])
      .patch(`${REPO}/check-runs/77`, (b) => ((done = b), true))
      .reply(200, { id: 77 });
    await (await makeProbot({ reviewSeries: reviewWith(2, 'error') })).receive({ id: '2', name: 'pull_request', payload: example('pull_request', 'synchronize') } as any);
    expect(api.isDone()).toBe(true);
    expect(done).toMatchObject({ status: 'completed', conclusion: 'failure', output: { title: '2 errors' } });
    expect(done.output.annotations.map((a: { title: string }) => a.title)).toEqual(['rule-1']);
  });

  it('on check_run.rerequested for our check finds the pull request by commit and reviews it again', async () => {
    const payload = example('check_run', 'rerequested');
    payload.check_run.name = 'bpf-review';
    const sha = payload.check_run.head_sha as string;
    const repo = '/repos/github/hello-world';
    let done: any = null;
    nock(API)
      .post('/app/installations/1/access_tokens')
      .reply(200, { token: 't' })
      .get(`${repo}/commits/${sha}/pulls`)
      .reply(200, [{ number: 5, state: 'closed' }, { number: 7, state: 'open' }])
      .get(`${repo}/pulls/7`)
      .reply(200, { number: 7, title: 'bpf: x', body: null, head: { sha }, user: { login: 'octocat' } })
      .get(`${repo}/commits/${sha}/check-runs`)
      .query(true)
      .reply(200, { total_count: 1, check_runs: [{ id: 9, name: 'bpf-review', head_sha: sha }] })
      .patch(`${repo}/check-runs/9`)
      .reply(200, {})
      .get(`${repo}/pulls/7/commits`)
      .query(true)
      .reply(200, [{ sha: SHA1, commit: { message: 'bpf: y', author: null } }])
      .get(`${repo}/commits/${SHA1}`)
      // without a charset @octokit/request hands the body over as an ArrayBuffer
      .reply(200, patchText(SHA1, 'bpf: y'), { 'content-type': 'application/vnd.github.patch' })
      .get(`${repo}/check-runs/9/annotations`)
      .query(true)
      .reply(200, [])
      .patch(`${repo}/check-runs/9`, (b) => ((done = b), true))
      .reply(200, {});
    await (await makeProbot({ reviewSeries: reviewWith(0) })).receive({ id: '3', name: 'check_run', payload } as any);
    expect(done).toMatchObject({ status: 'completed', conclusion: 'success', output: { title: 'No findings', annotations: [] } });
  });

  it('ignores a re-run of somebody else\'s check (no API call at all)', async () => {
    const payload = example('check_run', 'rerequested');
    expect(payload.check_run.name).not.toBe('bpf-review');
    await (await makeProbot({ reviewSeries: reviewWith(1) })).receive({ id: '4', name: 'check_run', payload } as any);
  });

  it('completes the check as neutral with the reason when the review cannot run', async () => {
    let done: any = null;
    const api = token(nock(API)).get(`${REPO}/commits/${HEAD}/check-runs`).query(true).reply(200, { total_count: 0, check_runs: [] }).post(`${REPO}/check-runs`).reply(201, { id: 5 });
    commitsAndPatch(api).patch(`${REPO}/check-runs/5`, (b) => ((done = b), true)).reply(200, {});
    const broken: ReviewFn = async () => {
      throw new Error('kernel tree not found');
    };
    await (await makeProbot({ reviewSeries: broken })).receive({ id: '5', name: 'pull_request', payload: example('pull_request', 'reopened') } as any);
    expect(done).toMatchObject({ status: 'completed', conclusion: 'neutral', output: { title: 'bpf-review could not review this pull request', summary: 'Error: kernel tree not found' } });
  });

  it('optionally posts one COMMENT review with line comments, leaving out those already there', async () => {
    let review: any = null;
    const api = token(nock(API)).get(`${REPO}/commits/${HEAD}/check-runs`).query(true).reply(200, { total_count: 0, check_runs: [] }).post(`${REPO}/check-runs`).reply(201, { id: 6 });
    commitsAndPatch(api)
      .patch(`${REPO}/check-runs/6`)
      .reply(200, {})
      .get(`${REPO}/pulls/2/comments`)
      .query(true)
      .reply(200, [{ path: 'include/linux/btf.h', line: 13, body: 'Point 0 about bpf: Add KF_HANDOVER.\n\nSee Documentation/bpf/kfuncs.rst.\n\n<sub>bpf-review `rule-0`</sub>' }])
      .post(`${REPO}/pulls/2/reviews`, (b) => ((review = b), true))
      .reply(200, { id: 1 });
    await (await makeProbot({ reviewSeries: reviewWith(2), pullRequestReview: true })).receive({ id: '6', name: 'pull_request', payload: example('pull_request', 'opened') } as any);
    expect(review).toMatchObject({ commit_id: HEAD, event: 'COMMENT' });
    expect(review.comments).toEqual([{ path: 'include/linux/btf.h', line: 13, side: 'RIGHT', body: 'Point 1 about bpf: Add KF_HANDOVER.\n\nSee Documentation/bpf/kfuncs.rst.\n\n<sub>bpf-review `rule-1`</sub>' }]);
  });

  it('verifies webhook signatures: a bad one is rejected before any handler runs', async () => {
    const probot = await makeProbot({ reviewSeries: reviewWith(1) });
    const payload = JSON.stringify(example('pull_request', 'opened'));
    await expect(probot.webhooks.verifyAndReceive({ id: '7', name: 'pull_request', payload, signature: 'sha256=' + '0'.repeat(64) } as any)).rejects.toThrow(/signature does not match/i);
    // a correctly signed event of an action we do not handle goes through without API calls
    const closed = JSON.stringify(example('pull_request', 'closed'));
    const signature = `sha256=${createHmac('sha256', SECRET).update(closed).digest('hex')}`;
    await probot.webhooks.verifyAndReceive({ id: '8', name: 'pull_request', payload: closed, signature } as any);
  });
});
