import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reviewSources } from '../../src/pipeline/review-sources.js';
import { projectRoot } from '../support/shared-data.js';

// A series that changes a kfunc's flags (not the verifier) flips a selftest at patch 1 and fixes
// its annotation only in patch 2: the model sees it, and the review says the series does not bisect.
const tmp = mkdtempSync(join(tmpdir(), 'bpfr-model-review-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const PROG = `
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

SEC("tp_btf/task_newtask")
__success
int BPF_PROG(task_ref, struct task_struct *task, u64 clone_flags)
{
	struct task_struct *t;

	t = bpf_task_acquire(task);
	if (!t)
		return 0;
	bpf_task_release(t);
	return 0;
}
`;
const LL = 'tools/testing/selftests/bpf/progs/linked_list.c';
const HELPERS = 'kernel/bpf/helpers.c';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: { ...process.env, GIT_AUTHOR_NAME: 'Pat Author', GIT_AUTHOR_EMAIL: 'pat@example.org', GIT_COMMITTER_NAME: 'Pat Author', GIT_COMMITTER_EMAIL: 'pat@example.org', GIT_AUTHOR_DATE: '1700000000 +0000', GIT_COMMITTER_DATE: '1700000000 +0000' } }).toString();
}

function makeSeries(fixInSamePatch: boolean): { base: string; mbox: string } {
  const base = join(tmp, `base-${fixInSamePatch}`);
  cpSync(join(projectRoot, 'examples/tree'), base, { recursive: true });
  const ll = join(base, LL);
  writeFileSync(ll, readFileSync(ll, 'utf8').replace('char _license[]', `${PROG}\nchar _license[]`));
  const work = join(tmp, `work-${fixInSamePatch}`);
  cpSync(base, work, { recursive: true });
  git(work, 'init', '-q');
  git(work, 'add', '-A');
  git(work, 'commit', '-qm', 'base');
  const annotate = () => writeFileSync(join(work, LL), readFileSync(join(work, LL), 'utf8').replace('__success\nint BPF_PROG(task_ref', '__failure __msg("Unreleased reference")\nint BPF_PROG(task_ref'));
  writeFileSync(join(work, HELPERS), readFileSync(join(work, HELPERS), 'utf8').replace('BTF_ID_FLAGS(func, bpf_task_release, KF_RELEASE)', 'BTF_ID_FLAGS(func, bpf_task_release)'));
  if (fixInSamePatch) annotate();
  git(work, 'commit', '-qam', 'bpf: Stop treating bpf_task_release as a release kfunc\n\nSigned-off-by: Pat Author <pat@example.org>');
  if (!fixInSamePatch) {
    annotate();
    git(work, 'commit', '-qam', 'selftests/bpf: Expect task_ref to leak\n\nSigned-off-by: Pat Author <pat@example.org>');
  } else {
    writeFileSync(join(work, 'README'), 'touched\n');
    git(work, 'commit', '-qam', 'selftests/bpf: Touch the README\n\nSigned-off-by: Pat Author <pat@example.org>');
  }
  const mbox = join(tmp, `series-${fixInSamePatch}.mbox`);
  writeFileSync(mbox, git(work, 'format-patch', '--stdout', '--thread', '--cover-letter', '--subject-prefix=PATCH bpf-next', 'HEAD~2'));
  return { base, mbox };
}

describe('the verifier model inside a review', () => {
  it('reports a selftest that flips at a patch and is fixed only by a later one', async () => {
    const { base, mbox } = makeSeries(false);
    const run = await reviewSources([mbox], { tree: base });
    const review = run.reviewed[0]!.review;
    expect(review.errors).toEqual([]);
    const flip = review.findings.filter((f) => f.ruleId === 'selftest-bisect-flip');
    expect(flip).toHaveLength(1);
    expect(flip[0]!.message).toMatch(/After patch 1\/2/);
    expect(flip[0]!.message).toMatch(/task_ref/);
    expect(flip[0]!.message).toMatch(/Unreleased reference/);
    expect(flip[0]!.message).toMatch(/Patch 2\/2 .* updates it/);
  });

  it('is quiet when the expectation is updated in the same patch', async () => {
    const { base, mbox } = makeSeries(true);
    const run = await reviewSources([mbox], { tree: base });
    const review = run.reviewed[0]!.review;
    expect(review.findings.filter((f) => f.ruleId.startsWith('selftest-'))).toEqual([]);
    expect(review.findings.filter((f) => f.ruleId === 'kfunc-flags-changed')).toHaveLength(1);
  });
});
