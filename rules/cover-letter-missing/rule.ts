import { defineSeriesRule } from '../../src/engine/rule-kit.js';
import { isBpfPatch } from '../subject-tree-tag/bpf-scope.js';

export const rule = defineSeriesRule({
  id: 'cover-letter-missing',
  description: 'A series of more than one patch has no cover letter (0/N) with a high-level description.',
  severity: 'warning',
  needs: [],
  source: 'Documentation/bpf/bpf_devel_QA.rst, "Q: What is the minimum requirement before I submit my BPF patches?": "Patch submissions with >1 patch must have a cover letter which includes a high level description of the series. This high level summary will then be placed into the merge commit"',
  messages: {
    missing: 'This series has {{count}} patches but no cover letter. Could the next version add a 0/{{count}} with a high-level description? bpf_devel_QA.rst: "Patch submissions with >1 patch must have a cover letter", and the BPF maintainers put that summary into the merge commit.',
  },
}, (ctx) => {
  const { series } = ctx;
  // patches missing from the archive: the cover letter may be missing with them
  if (series.cover || series.partialReroll || series.missing.length > 0) return;
  if (!series.patches.some(isBpfPatch)) return;
  const count = Math.max(series.total, series.patches.length);
  if (count < 2) return;
  ctx.report({ messageId: 'missing', data: { count }, file: null, patch: 0 });
});
