import { definePatchRule } from '../../src/engine/rule-kit.js';
import { filePath } from '../../src/model/diff.js';
import { parseSubject } from '../../src/ingest/mail/parse-subject.js';

/** Paths whose patches are tests or documentation, not the fix itself. */
const NOT_A_FIX = /^(?:tools\/testing\/selftests\/|Documentation\/)/;

export const rule = definePatchRule({
  id: 'bpf-fix-without-fixes',
  description: 'A patch for the bpf (fixes) tree has no Fixes: tag naming the commit it fixes.',
  severity: 'warning',
  needs: [],
  source: 'Documentation/bpf/bpf_devel_QA.rst, "Q: What is the minimum requirement before I submit my BPF patches?": "fixes that go to bpf tree *must* have a Fixes: tag included ... it is a must have!"; e.g. Fixes: 6a3cd3318ff6 ("bpf: Migrate release_on_unlock logic to non-owning ref semantics") (bpf-semantics.md §6.11)',
  messages: {
    missing: 'This is sent to the bpf tree, which takes fixes only, but there is no Fixes: tag. Which commit introduced the problem? bpf_devel_QA.rst: "fixes that go to bpf tree *must* have a Fixes: tag included", e.g. Fixes: 123456789abc ("bpf: subject of the commit"). If this is not a fix, should it go to bpf-next instead?',
  },
}, (ctx) => {
  const { patch, series } = ctx;
  const tree = (parseSubject(patch.subject).tree ?? series.tree ?? '').toLowerCase();
  if (tree !== 'bpf' && !tree.startsWith('bpf/')) return;
  if (patch.files.length > 0 && patch.files.every((f) => NOT_A_FIX.test(filePath(f)))) return;
  if (patch.trailers.some((t) => t.name === 'Fixes')) return;
  if (/^Fixes:\s*[0-9a-f]{8,}/im.test(patch.commitMessage)) return;
  ctx.report({ messageId: 'missing', file: null });
});
