/**
 * `bpf-review series` on our own fixture (test/ingest/fixtures/small-series.mbox): a v2 0/3
 * series with 2/3 missing, a broken 3/3, a reply with a follow-up trailer, a duplicate of
 * 1/3, a mail that is not a mail, and an unrelated question. Run through the command's
 * action and, when the project is built, through the real binary.
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../support/shared-data.js';
import { runSeries } from '../../src/app/commands/series.js';

const fixture = join(projectRoot, 'test', 'ingest', 'fixtures', 'small-series.mbox');

async function run(args: string[], format?: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runSeries(args, format ? { format } : {}, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

describe('bpf-review series', () => {
  it('--format json: the series, the quarantine with reasons, and the accounting', async () => {
    const { code, out, err } = await run([fixture], 'json');
    expect(code).toBe(0);
    expect(err).toBe('');
    const j = JSON.parse(out);
    expect(j.messages).toBe(7);
    expect(j.accounting).toEqual({ read: 7, seriesMembers: 2, replies: 1, other: 1, duplicates: 1, quarantined: 2 });
    expect(j.quarantined.map((q: { source: string; reason: string }) => q.source)).toEqual([`${fixture}#6`, `${fixture}#3`]);
    expect(j.quarantined[0].reason).toMatch(/header/);
    expect(j.quarantined[1].reason).toMatch(/hunk/);
    expect(j.series).toHaveLength(1);
    const s = j.series[0];
    expect(s).toMatchObject({
      subject: '[PATCH bpf-next v2 0/3] bpf: check more things',
      revision: 2,
      total: 3,
      tree: 'bpf-next',
      cover: 'cover@x',
      missing: [2],
      previous: null,
      baseCommit: '0123456789abcdef0123456789abcdef01234567',
    });
    expect(s.patches.map((p: { counter: number }) => p.counter)).toEqual([1, 3]);
    expect(s.patches[0]).toMatchObject({
      messageId: 'p1@x',
      subject: '[PATCH bpf-next v2 1/3] bpf: check one more thing',
      files: ['kernel/bpf/verifier.c'],
      trailers: [
        { name: 'Signed-off-by', value: 'Alice Example <alice@example.org>' },
        { name: 'Acked-by', value: 'Bob Example <bob@example.org>' },
      ],
      replies: ['r1@x'],
    });
    expect(s.patches[1].error.code).toBe('broken-diff');
    expect(s.followupTrailers).toEqual([{ counter: 1, messageId: 'r1@x', name: 'Reviewed-by', value: 'Carol Example <carol@example.org>' }]);
  });

  it('text: a header per series, its patches, missing counters and the accounting line', async () => {
    const { code, out } = await run([fixture]);
    expect(code).toBe(0);
    expect(out).toContain('[v2 bpf-next] 0/3 bpf: check more things  (cover cover@x)');
    expect(out).toMatch(/^ {2}1\/3 \[PATCH bpf-next v2 1\/3\] bpf: check one more thing {2}files: 1 {2}trailers: Signed-off-by, Acked-by, Reviewed-by \(follow-up\)/m);
    expect(out).toContain('  missing: 2');
    expect(out).toContain('read 7 = series members 2 + replies 1 + other 1 + duplicates 1 + quarantined 2');
    expect(out).toMatch(/quarantined:\n {2}.*small-series\.mbox#6: malformed-message: /);
  });

  it('an unreadable source is exit 2 with a message that says what to give', async () => {
    const { code, out, err } = await run([fixture, '/nonexistent/inbox.mbox'], 'json');
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/^bpf-review series: .*\/nonexistent\/inbox\.mbox/);
    expect(err).toMatch(/mbox|maildir/);
  });

  it('an unknown format is exit 2', async () => {
    expect((await run([fixture], 'yaml')).code).toBe(2);
  });

  const bin = join(projectRoot, 'bin', 'bpf-review.js');
  const built = existsSync(join(projectRoot, 'dist', 'src', 'app', 'commands', 'series.js'));
  (built ? it : it.skip)('the built binary prints the same JSON and exits 0', () => {
    const p = spawnSync(process.execPath, [bin, 'series', fixture, '--format', 'json'], { encoding: 'utf8' });
    expect(p.status).toBe(0);
    expect(JSON.parse(p.stdout).accounting.read).toBe(7);
    const bad = spawnSync(process.execPath, [bin, 'series', '/nonexistent/x.mbox'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/nonexistent/);
  });
});
