import { definePatchRule } from '../../src/engine/rule-kit.js';
import { isBpfPatch } from '../subject-tree-tag/bpf-scope.js';

const STABLE = /\bstable@(?:vger\.)?kernel\.org\b/i;

export const rule = definePatchRule({
  id: 'cc-stable',
  description: 'A BPF patch carries "Cc: stable@vger.kernel.org" in its description; BPF fixes go through the bpf tree with a Fixes: tag and the BPF maintainers queue them for stable.',
  severity: 'warning',
  needs: [],
  source: 'Documentation/bpf/bpf_devel_QA.rst, "Q: The BPF patch I am about to submit needs to go to stable as well": "Never add \'Cc: stable@vger.kernel.org\' to the patch description, but ask the BPF maintainers to queue the patches instead."',
  messages: {
    ccStable: 'The description has "{{line}}". For BPF that is not how fixes reach stable: bpf_devel_QA.rst says "Never add \'Cc: stable@vger.kernel.org\' to the patch description, but ask the BPF maintainers to queue the patches instead", for example with a note below the --- line. Could the Cc: stable be dropped, with a Fixes: tag and the patch sent to the bpf tree?',
  },
}, (ctx) => {
  const { patch } = ctx;
  if (!isBpfPatch(patch)) return;
  const t = patch.trailers.find((x) => x.name === 'Cc' && STABLE.test(x.value));
  let line: string | null = t ? `Cc: ${t.value}` : null;
  if (!line) {
    const m = /^Cc:[ \t]*(.*stable@(?:vger\.)?kernel\.org.*)$/im.exec(patch.commitMessage);
    if (m) line = `Cc: ${m[1]!.trim()}`;
  }
  if (!line) return;
  ctx.report({ messageId: 'ccStable', data: { line }, file: null });
});
