import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import nock from 'nock';
import { PatchworkChecks } from '../../src/publish/patchwork/index.js';
import { toPatchworkChecks } from '../../src/report/patchwork-checks.js';
import { openStore, Outbox } from '../../src/store/index.js';
import { finding, patchOf, reviewOf, seriesOf } from './support/build-series.js';
import { fixtureMessage } from './support/fixture-patch.js';

/*
 * Response shapes written from patchwork's REST API documentation (API 1.2: "patches" list
 * with msgid filter, "checks" list and create); trimmed to the fields patchwork returns that
 * matter here, values invented.
 */
const PW = 'https://patchwork.example.org';
const patchListItem = (id: number, msgid: string) => ({
  id,
  url: `${PW}/api/1.2/patches/${id}/`,
  web_url: `${PW}/project/netdevbpf/patch/${msgid}/`,
  project: { id: 399, url: `${PW}/api/1.2/projects/399/`, name: 'Netdev + BPF', link_name: 'netdevbpf', list_id: 'bpf.vger.kernel.org', list_email: 'bpf@vger.kernel.org' },
  msgid: `<${msgid}>`,
  date: '2024-01-01T00:00:00',
  name: '[bpf-next,2/3] bpf: Add KF_HANDOVER',
  state: 'new',
  archived: false,
  hash: 'c0ffee',
  submitter: { id: 1, url: `${PW}/api/1.2/people/1/`, name: 'Jane Developer', email: 'jane@example.org' },
  delegate: null,
  mbox: `${PW}/project/netdevbpf/patch/${msgid}/mbox/`,
  series: [],
  check: 'pending',
  checks: `${PW}/api/1.2/patches/${id}/checks/`,
  tags: {},
});
const checkRecord = (id: number, state: string, date: string, context = 'bpf-review') => ({
  id,
  url: `${PW}/api/1.2/patches/9001/checks/${id}/`,
  user: { id: 7, url: `${PW}/api/1.2/users/7/`, username: 'bpf-review', first_name: '', last_name: '', email: 'bpf-review@example.org' },
  date,
  state,
  target_url: 'https://bpf-review.example/r/1',
  context,
  description: 'x',
});

const msg = fixtureMessage();
const patch = { ...patchOf(msg), counter: 2 };
const series = seriesOf([patch]);
const warn = finding({ ruleId: 'kf-flag-meaningless-alone', severity: 'warning', patch: 2, file: 'include/linux/btf.h', line: 13, message: 'Alone?' });
const [check] = toPatchworkChecks(series, reviewOf(series, [warn], ['no kernel tree']), { targetUrl: 'https://bpf-review.example/r/1' });

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

describe('toPatchworkChecks', () => {
  it('gives one check per patch with state and description from the findings', () => {
    expect(check).toEqual({
      messageId: msg.messageId,
      patch: 2,
      check: { state: 'warning', target_url: 'https://bpf-review.example/r/1', context: 'bpf-review', description: '1 warning: kf-flag-meaningless-alone in include/linux/btf.h; not run: no kernel tree' },
    });
    const clean = toPatchworkChecks(series, reviewOf(series, [finding({ ruleId: 'internal-error', severity: 'error', patch: 2, message: 'crash' })]));
    expect(clean[0]!.check).toMatchObject({ state: 'success', description: 'no findings (review incomplete)' });
  });
});

describe('PatchworkChecks', () => {
  it('looks the patch up by Message-ID and posts the check with token auth when the state changed', async () => {
    const store = openStore(':memory:');
    store.migrate();
    const outbox = new Outbox(store);
    const api = nock(PW, { reqheaders: { authorization: 'Token s3cret' } })
      .get('/api/1.2/patches/')
      .query({ msgid: msg.messageId, project: 'netdevbpf' })
      .reply(200, [patchListItem(9001, msg.messageId)])
      .get('/api/1.2/patches/9001/checks/')
      .query({ per_page: '100' })
      .reply(200, [checkRecord(1, 'success', '2024-01-01T00:05:00'), checkRecord(2, 'fail', '2024-01-01T00:06:00', 'other-ci')])
      .post('/api/1.2/patches/9001/checks/', (body) => {
        expect(body).toEqual(check!.check);
        return true;
      })
      .reply(201, checkRecord(3, 'warning', '2024-01-02T00:00:00'));
    const pw = new PatchworkChecks({ url: PW, token: 's3cret', project: 'netdevbpf', send: true }, outbox);
    const r = await pw.post(check!);
    expect(r).toMatchObject({ action: 'posted', patchId: 9001, previous: 'success' });
    expect(api.isDone()).toBe(true);
    expect(outbox.all('patchwork').map((e) => [e.state, JSON.parse(e.payload.toString()).state])).toEqual([['sent', 'warning']]);
    store.close();
  });

  it('does not post again when our latest check already has this state', async () => {
    nock(PW)
      .get('/api/1.2/patches/')
      .query({ msgid: msg.messageId })
      .reply(200, [patchListItem(9001, msg.messageId)])
      .get('/api/1.2/patches/9001/checks/')
      .query(true)
      .reply(200, [checkRecord(1, 'fail', '2024-01-01T00:05:00'), checkRecord(2, 'warning', '2024-01-01T00:06:00')]);
    const r = await new PatchworkChecks({ url: PW, token: 't', send: true }).post(check!);
    expect(r.action).toBe('unchanged');
  });

  it('is a dry run by default: it reads but never posts', async () => {
    nock(PW).get('/api/1.2/patches/').query(true).reply(200, [patchListItem(9001, msg.messageId)]).get('/api/1.2/patches/9001/checks/').query(true).reply(200, []);
    const r = await new PatchworkChecks({ url: PW }).post(check!);
    expect(r).toMatchObject({ action: 'dry-run', previous: null, patchId: 9001 });
  });

  it('reports a patch patchwork does not know, and an HTTP error as a named error', async () => {
    nock(PW).get('/api/1.2/patches/').query(true).reply(200, []);
    expect((await new PatchworkChecks({ url: PW, send: true }).post(check!)).action).toBe('patch-not-found');
    nock(PW).get('/api/1.2/patches/').query(true).reply(502, 'bad gateway');
    await expect(new PatchworkChecks({ url: PW, send: true }).post(check!)).rejects.toThrow(/HTTP 502/);
  });
});
