import { defineSeriesRule } from '../../src/engine/rule-kit.js';

export const rule = defineSeriesRule({
  id: 'selftest-bisect-flip',
  description: 'A selftest whose outcome, as the verifier model predicts it, flips at some patch while its expectation is not updated in that patch: the series does not bisect.',
  severity: 'warning',
  needs: ['model'],
  source: 'the verifier model (src/model-bpf) run on the tree after each patch; Documentation/process/submitting-patches.rst "Separate your changes" (each patch must build and pass); seed: "The patch immediately following this one makes minor changes to linked_list selftests" (v2 02/13 commit message)',
  messages: {
    flip: 'After patch {{patch}}/{{total}} ("{{subject}}"), the model predicts {{after}} for {{program}} ({{where}}){{msg}}, but the selftest still expects {{expected}}. {{fixed}} Could the selftest update go in the same patch as the verifier change, so that every step of the series passes its selftests?',
  },
}, (ctx) => {
  const total = ctx.series.patches.length;
  ctx.models.forEach((m, i) => {
    if (!m) return;
    const p = ctx.series.patches[i];
    if (!p) return;
    for (const f of m.flips) {
      if (f.before === f.after) continue;
      if (f.expectedAfter === null || f.expectedAfter !== f.expectedBefore) continue;
      if (f.after === f.expectedAfter) continue;
      const later = f.fixedBy !== null ? ctx.series.patches.find((x) => x.counter === f.fixedBy) : undefined;
      const fixed = later ? `Patch ${later.counter}/${total} ("${later.subject.replace(/^\[[^\]]*\]\s*/, '')}") updates it, so the tree is broken in between.` : 'No later patch of the series updates it.';
      ctx.report({
        messageId: 'flip',
        data: {
          patch: p.counter, total, subject: p.subject.replace(/^\[[^\]]*\]\s*/, ''), program: f.program,
          where: f.line !== null ? `${f.file}:${f.line}` : f.file, after: f.after, expected: f.expectedAfter,
          msg: f.message && !f.after.includes(f.message) ? ` (model: "${f.message}")` : '', fixed,
        },
        key: `${p.counter}:${f.program}`,
      });
    }
  });
});
