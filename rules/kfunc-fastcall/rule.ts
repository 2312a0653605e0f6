import { definePatchRule } from '../../src/engine/rule-kit.js';
import { addedFlagsLines } from '../../src/engine/bpf-knowledge/kfunc-view.js';

export const rule = definePatchRule({
  id: 'kfunc-fastcall',
  description: 'KF_FASTCALL on a kfunc the verifier neither inlines nor patches (tree mode only: needs special_kfunc_list).',
  severity: 'warning',
  needs: ['tree'],
  source: 'Eduard Zingerman, "bpf: use KF_FASTCALL to mark kfuncs supporting fastcall contract" (16 Sep 2024); in-tree only bpf_cast_to_kern_ctx and bpf_rdonly_cast, both rewritten by the verifier (bpf-semantics.md §1.2, §7.1 F20)',
  messages: {
    notInlined: '{{kfunc}} is KF_FASTCALL, which promises the caller that registers other than r0 and the argument registers survive the call. That only holds for kfuncs the verifier rewrites inline (today bpf_cast_to_kern_ctx and bpf_rdonly_cast, both in special_kfunc_list); {{kfunc}} is not in special_kfunc_list and the series does not touch its call in verifier.c. Does the JIT or verifier keep the contract for it?',
  },
}, (ctx) => {
  const after = ctx.tree?.after;
  if (!after) return;
  const special = new Set([...after.specialKfuncs, ...(after.kfuncLists ?? []).flatMap((l) => l.kfuncs)]);
  const verifierText = ctx.tree?.readAfter('kernel/bpf/verifier.c') ?? '';
  const touched = ctx.series.patches.some((p) => p.files.some((f) => (f.newPath ?? '').endsWith('kernel/bpf/verifier.c')));
  for (const l of addedFlagsLines(ctx)) {
    if (!l.flags.includes('KF_FASTCALL')) continue;
    if (special.has(l.name)) continue;
    if (touched && new RegExp(`\\b${l.name}\\b`).test(verifierText)) continue;
    ctx.report({ messageId: 'notInlined', data: { kfunc: l.name }, file: l.file, line: l.line });
  }
});
