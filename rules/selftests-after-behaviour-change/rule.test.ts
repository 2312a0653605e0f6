import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { patchBody } from '../../test/rules/support/make-patch.js';
import { readdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ingest } from '../../src/ingest/ingest.js';
import { runRules } from '../../src/engine/run-rules.js';
import { describeShared, sharedPath } from '../../test/support/shared-data.js';

const V = 'kernel/bpf/verifier.c';
const LL = 'tools/testing/selftests/bpf/prog_tests/linked_list.c';
const behaviour = (msg: string) => ({
  subject: '[PATCH bpf-next 1/2] bpf: Migrate release_on_unlock logic to non-owning ref semantics',
  body: patchBody(msg, [{ file: V, hunks: [{ at: 300, lines: [' \tif (reg->type & PTR_UNTRUSTED) {', '-\t\tverbose(env, "only read is supported\\n");', '-\t\treturn -EACCES;', '+\t\treturn 0;', ' \t}'] }] }]),
});
const updateTests = (subject: string, msg = 'Adjust the expected messages.') => ({
  subject,
  body: patchBody(msg, [{ file: LL, hunks: [{ at: 20, lines: [' static struct { const char *name, *err; } fail_tests[] = {', '-\t{ "write_after_push_front", "only read is supported" },', '+\t{ "double_push_front", "Allocated list_node must be referenced" },', ' };'] }] }]),
});
const newTests = {
  subject: '[PATCH bpf-next 2/2] selftests/bpf: Add tests for non-owning ref semantics',
  body: patchBody('New tests.', [{ file: 'tools/testing/selftests/bpf/progs/linked_list_own.c', created: true, hunks: [{ at: 0, lines: ['+SEC("tc")', '+int own(void *ctx) { return 0; }'] }] }]),
};
const cover = { subject: '[PATCH bpf-next 0/2] non-owning refs' };

describeRule(rule, {
  valid: [
    { name: 'the behaviour change carries its own selftest update', cover, patches: [{ subject: '[PATCH bpf-next 1/1] bpf: x', body: patchBody('x', [
      { file: V, hunks: [{ at: 300, lines: [' \tif (x) {', '-\t\treturn -EACCES;', '+\t\treturn 0;', ' \t}'] }] },
      { file: LL, hunks: [{ at: 20, lines: [' {', '-\t{ "a", "only read is supported" },', '+\t{ "a", "b" },', ' };'] }] },
    ]) }] },
    { name: 'the later patch only adds new tests', cover, patches: [behaviour('Change it.'), newTests] },
    { name: 'an unrelated selftest fix later in the series', cover, patches: [behaviour('Change it.'), { subject: '[PATCH bpf-next 2/2] selftests/bpf: Fix a typo in the cgroup iterator test', body: patchBody('Typo.', [{ file: 'tools/testing/selftests/bpf/prog_tests/cgroup_iter.c', hunks: [{ at: 5, lines: [' {', '-\tASSERT_OK(err, "cgroup_iter__attach");', '+\tASSERT_OK(err, "cgroup_iter_attach");', ' }'] }] }]) }] },
  ],
  invalid: [
    { name: 'the seed respin: expected messages updated in patch 2', cover, patches: [behaviour('Change it.'), updateTests('[PATCH bpf-next 2/2] selftests/bpf: Update linked_list tests')],
      findings: [{ kind: 'later', message: 'patch 2 ("selftests/bpf: Update linked_list tests") then changes existing selftests that exercise it (prog_tests/linked_list.c)', patch: 1, file: null, severity: 'warning' }] },
    { name: 'related by title words and announced in the commit message', cover, patches: [
      behaviour('The patch immediately following this one makes minor changes to linked_list selftests to account for the differing behavior.'),
      { subject: '[PATCH bpf-next 2/2] selftests/bpf: Update linked_list tests for non-owning ref semantics', body: patchBody('x', [{ file: LL, hunks: [{ at: 20, lines: [' {', '-\tfoo(1);', '+\tfoo(2);', ' }'] }] }]) },
    ], findings: [{ message: 'Do those selftests fail when the series is applied only up to this patch?', patch: 1 }] },
  ],
});

// The real case: the seed's 2-patch respin (bpf: ... 1/2, selftests/bpf: ... 2/2), read in place.
describeShared('selftests-after-behaviour-change on the seed respin (shared/seed/thread/a-*)', () => {
  it('asks whether 1/2 bisects, pointing at 2/2\'s linked_list test updates', async () => {
    const dir = readdirSync(sharedPath('seed', 'thread')).find((d) => d.startsWith('a-'));
    expect(dir).toBeDefined();
    const res = await ingest([sharedPath('seed', 'thread', dir!, 'thread.mboxrd')]);
    const series = res.series.find((s) => s.patches.length === 2);
    expect(series).toBeDefined();
    const review = runRules([rule], { series: series!, version: null, mode: 'diff-only', trees: [null, null], models: [null, null], diffFacts: [{}, {}] });
    expect(review.findings).toHaveLength(1);
    expect(review.findings[0]).toMatchObject({ ruleId: rule.meta.id, patch: 1, file: null });
    expect(review.findings[0]!.message).toContain('patch 2 ("selftests/bpf: Update linked_list tests for non-owning ref semantics")');
    expect(review.findings[0]!.message).toContain('prog_tests/linked_list.c');
  });
});
