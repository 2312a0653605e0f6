import { defineSeriesRule } from '../../src/engine/rule-kit.js';
import { isBpfPatch } from './bpf-scope.js';

export const rule = defineSeriesRule({
  id: 'subject-tree-tag',
  description: 'The subject carries no tree tag: BPF patches say [PATCH bpf] (fixes) or [PATCH bpf-next] (features) so the maintainers and BPF CI know where they go.',
  severity: 'warning',
  needs: [],
  source: 'Documentation/bpf/bpf_devel_QA.rst, "Q: How do I indicate which tree (bpf vs. bpf-next) my patch should be applied to?": "The subject line must indicate whether the patch is a fix or rather \'next-like\' content" (--subject-prefix=\'PATCH bpf\' / \'PATCH bpf-next\')',
  messages: {
    missing: 'The subject has no tree tag. Is this a fix for the bpf tree or a feature for bpf-next? bpf_devel_QA.rst asks for it in the subject ("git format-patch --subject-prefix=\'PATCH bpf-next\'", or \'PATCH bpf\' for fixes), so the maintainers and BPF CI know which tree to apply it to.',
  },
}, (ctx) => {
  const { series } = ctx;
  if (series.tree !== null || series.patches.length === 0) return;
  // other subsystems' patches Cc'd to the list follow their own trees' rules
  if (!series.patches.some(isBpfPatch)) return;
  ctx.report({ messageId: 'missing', file: null, patch: 0 });
});
