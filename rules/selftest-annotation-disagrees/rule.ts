import { definePatchRule } from '../../src/engine/rule-kit.js';
import { lineInPatch } from '../../src/engine/run-rules.js';
import { mentions, newKfuncs } from '../../src/engine/bpf-knowledge/new-kfuncs.js';
import { addedLines } from '../../src/engine/bpf-knowledge/patch-scan.js';

export const rule = definePatchRule({
  id: 'selftest-annotation-disagrees',
  description: 'A selftest this patch adds or changes whose __success/__failure/__msg annotation (or prog_tests table row) the verifier model disagrees with.',
  severity: 'warning',
  needs: ['model'],
  source: 'the verifier model (src/model-bpf) on the tree after the patch; tools/testing/selftests/bpf/progs/bpf_misc.h __success/__failure/__msg, prog_tests/*.c expected-failure tables (bpf-semantics.md §5, §7.2)',
  messages: {
    disagrees: '{{program}} expects {{expected}}, but the model of the verifier at this patch predicts {{predicted}}: {{reason}}. Is the annotation (or the expected message) right for this tree?',
  },
}, (ctx) => {
  const model = ctx.model;
  if (!model) return;
  const fresh = newKfuncs(ctx.series).map((k) => k.name);
  for (const d of model.disagreements) {
    // a new kfunc failing its own selftest is kfunc-own-selftests-fail's point
    if (fresh.some((k) => mentions(d.reason, k))) continue;
    let line: number | null = d.line !== null && lineInPatch(ctx.patch.files, d.file, d.line) ? d.line : null;
    if (line === null) {
      const hit = addedLines(ctx.patch, (f) => f === d.file).find((l) => mentions(l.text, d.program));
      line = hit?.line ?? null;
    }
    if (line === null) continue; // not a selftest this patch adds or changes
    ctx.report({ messageId: 'disagrees', data: { program: d.program, expected: d.expected, predicted: d.predicted, reason: d.reason }, file: d.file, line, key: d.program });
  }
});
