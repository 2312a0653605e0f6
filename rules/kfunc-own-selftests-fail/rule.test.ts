import { describeRule } from '../../src/engine/rule-test-table.js';
import type { ModelDisagreement, PatchModelView } from '../../src/engine/rule-kit.js';
import { rule } from './rule.js';
import { HELPERS, kfuncDiff } from '../../test/rules/support/kfunc-patches.js';
import { patchBody } from '../../test/rules/support/make-patch.js';

const T = 'tools/testing/selftests/bpf/progs/foo_test.c';
const k = kfuncDiff([{ sig: 'int bpf_foo_get(struct foo *f)', flags: 'KF_ACQUIRE' }], 'bpf: add bpf_foo_get');
const test = patchBody('selftests/bpf: test bpf_foo_get', [{ file: T, hunks: [{ at: 1, lines: [' #include "bpf_misc.h"', '+SEC("tc")', '+__success', '+int foo_get_works(void *ctx)', '+{', '+\treturn 0;', '+}'] }] }]);
const d = (o: Partial<ModelDisagreement>): ModelDisagreement => ({ program: 'foo_get_works', file: T, line: 4, expected: 'success', predicted: 'a failure', reason: 'bpf_foo_get is KF_ACQUIRE but does not return a struct pointer', ...o });
const view = (ds: ModelDisagreement[]): PatchModelView => ({ flips: [], disagreements: ds });
const cover = { subject: '[PATCH bpf-next 0/2] bpf: bpf_foo_get' };

describeRule(rule, {
  valid: [
    { name: 'its selftests pass', cover, patches: [k.body, test], models: [view([]), view([])] },
    { name: 'a failing selftest about something else', cover, patches: [k.body, test], models: [view([]), view([d({ program: 'other', reason: 'unreleased reference id=2' })])] },
  ],
  invalid: [
    { name: 'the new kfunc fails its own selftest (found in a later patch)', cover, patches: [k.body, test], models: [view([]), view([d({})])],
      findings: [{ kind: 'ownTestFails', message: 'bpf_foo_get is registered with KF_ACQUIRE', patch: 1, file: HELPERS, line: k.reg[0], severity: 'error' }] },
  ],
});
