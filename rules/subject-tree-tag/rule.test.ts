import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { patchBody } from '../../test/rules/support/make-patch.js';

const body = patchBody('bpf: fix it', [{ file: 'kernel/bpf/verifier.c', hunks: [{ at: 5, lines: [' a', '-b', '+c'] }] }]);

describeRule(rule, {
  valid: [
    { name: 'bpf-next', patches: [{ subject: '[PATCH bpf-next] bpf: Tidy verifier bug message', body }] },
    { name: 'bpf with version', patches: [{ subject: '[PATCH v2 bpf] bpf: Fix a leak', body }] },
    { name: 'net-next is accepted by bpf_devel_QA', patches: [{ subject: '[PATCH net-next 1/1] bpf: x', body }] },
    { name: 'another subsystem\'s patch Cc\'d to the list', patches: [{ subject: '[PATCH] mm: fix a leak', body: patchBody('mm: fix', [{ file: 'mm/slab.c', hunks: [{ at: 5, lines: [' a', '-b', '+c'] }] }]) }] },
    { name: 'tag on the cover letter', cover: { subject: '[PATCH bpf-next v3 0/2] bpf: x' }, patches: [{ subject: '[PATCH bpf-next v3 1/2] bpf: x', body }, { subject: '[PATCH bpf-next v3 2/2] bpf: y', body }] },
  ],
  invalid: [
    { name: 'plain [PATCH]', patches: [{ subject: '[PATCH] bpf: Fix a leak', body }],
      findings: [{ kind: 'missing', message: 'The subject has no tree tag', patch: 0, file: null, severity: 'warning' }] },
    { name: 'a series without tags on the cover', cover: { subject: '[PATCH v2 0/2] bpf: x' }, patches: [{ subject: '[PATCH v2 1/2] bpf: x', body }, { subject: '[PATCH v2 2/2] bpf: y', body }],
      findings: [{ message: 'bpf-next', patch: 0 }] },
    { name: 'a libbpf patch known by its subject prefix', patches: [{ subject: '[PATCH] libbpf: fix a typo', body: patchBody('libbpf: fix', [{ file: 'README.md', hunks: [{ at: 5, lines: [' a', '-b', '+c'] }] }]) }],
      findings: [{ kind: 'missing' }] },
  ],
});
