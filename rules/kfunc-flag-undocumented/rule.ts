import { definePatchRule } from '../../src/engine/rule-kit.js';
import { documented, seriesIncomplete } from '../../src/engine/bpf-knowledge/kfunc-view.js';
import { newFlagDefines } from '../../src/engine/bpf-knowledge/patch-scan.js';

export const rule = definePatchRule({
  id: 'kfunc-flag-undocumented',
  description: 'A new KF_* flag without a section in Documentation/bpf/kfuncs.rst, in this patch or elsewhere in the series.',
  severity: 'warning',
  needs: [],
  source: 'Documentation/bpf/kfuncs.rst §2.4, one section per kfunc flag (KF_ITER_*, KF_FASTCALL, KF_ARENA_* and KF_SPINLOCK_SAFE were merged without one and are still undocumented; bpf-semantics.md §2.2, §7.1 F24)',
  messages: {
    undocumentedPartial: '{{flag}} is a new kfunc flag, and none of the patches at hand adds a section for it to Documentation/bpf/kfuncs.rst (not every patch of this series is here). Does a later patch document it? kfunc authors learn the flags from that file (section 2.4, "kfunc flags"), so it should say what {{flag}} means and which flags it goes with.',
    undocumented: '{{flag}} is a new kfunc flag, but Documentation/bpf/kfuncs.rst gets no section for it in this series. kfunc authors learn the flags from that file (section 2.4, "kfunc flags"); could the series add a "{{flag}} flag" section saying what it means and which flags it goes with?',
  },
}, (ctx) => {
  for (const d of newFlagDefines(ctx.patch)) {
    if (documented(ctx, d.name) !== false) continue;
    ctx.report({ messageId: seriesIncomplete(ctx) ? 'undocumentedPartial' : 'undocumented', data: { flag: d.name }, file: d.file, line: d.line });
  }
});
