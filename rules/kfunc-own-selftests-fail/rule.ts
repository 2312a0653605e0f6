import { defineSeriesRule } from '../../src/engine/rule-kit.js';
import { flagsText } from '../../src/engine/bpf-knowledge/kfunc-view.js';
import { mentions, newKfuncs } from '../../src/engine/bpf-knowledge/new-kfuncs.js';
import { functionBody } from '../../src/engine/bpf-knowledge/c-snippets.js';

export const rule = defineSeriesRule({
  id: 'kfunc-own-selftests-fail',
  description: 'A kfunc the series adds whose flags make its own selftests fail, as the verifier model predicts.',
  severity: 'error',
  needs: ['model'],
  source: 'the verifier model (src/model-bpf): kernel/bpf/verifier.c check_kfunc_call()/check_kfunc_args() applied to the new kfunc\'s BTF_ID_FLAGS (bpf-semantics.md §3.2, §7.2)',
  messages: {
    ownTestFails: '{{kfunc}} is registered with {{flags}}, and with those flags the model predicts {{predicted}} for its own selftest {{program}} ({{where}}), which expects {{expected}}: {{reason}}. Are the flags (or the selftest) what was intended?',
  },
}, (ctx) => {
  const kfuncs = newKfuncs(ctx.series);
  const seen = new Set<string>();
  ctx.models.forEach((m, i) => {
    if (!m) return;
    for (const d of m.disagreements) {
      // the program's own text, when the tree is at hand: does it call the kfunc?
      const body = functionBody(ctx.trees[i]?.readAfter(d.file) ?? '', d.program)?.body ?? '';
      for (const k of kfuncs) {
        if (k.index > i) continue;
        if (!mentions(d.reason, k.name) && !mentions(d.program, k.name) && !mentions(body, k.name)) continue;
        const key = `${k.name}:${d.program}`;
        if (seen.has(key)) continue;
        seen.add(key);
        ctx.report({
          messageId: 'ownTestFails',
          data: { kfunc: k.name, flags: flagsText(k.flags), program: d.program, where: d.line !== null ? `${d.file}:${d.line}` : d.file, predicted: d.predicted, expected: d.expected, reason: d.reason },
          patch: k.patch, file: k.file, line: k.line, key,
        });
      }
    }
  });
});
