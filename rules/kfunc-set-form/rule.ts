import { definePatchRule } from '../../src/engine/rule-kit.js';
import { versionAtLeast } from '../../src/engine/bpf-knowledge/kf-registry.js';
import { versionOf } from '../../src/engine/bpf-knowledge/kfunc-view.js';
import { allLines, scanFlagsLines } from '../../src/engine/bpf-knowledge/patch-scan.js';

export const rule = definePatchRule({
  id: 'kfunc-set-form',
  description: 'A kfunc set declared with BTF_SET8_START on v6.9 and later, where register_btf_kfunc_id_set() requires BTF_KFUNCS_START.',
  severity: 'error',
  needs: [],
  source: 'kernel/bpf/btf.c register_btf_kfunc_id_set(): "if (!(kset->set->flags & BTF_SET8_KFUNCS)) { WARN_ON(!kset->owner); return -EINVAL; }"; include/linux/btf_ids.h BTF_KFUNCS_START (v6.9+); Documentation/bpf/kfuncs.rst (bpf-semantics.md §2.1, §7.1 F21)',
  messages: {
    set8: '{{set}} holds kfuncs but is declared with BTF_SET8_START. Since v6.9 register_btf_kfunc_id_set() rejects a set without the BTF_SET8_KFUNCS flag with -EINVAL (and a WARN for built-in code); should it be BTF_KFUNCS_START({{set}}) / BTF_KFUNCS_END({{set}})?',
  },
}, (ctx) => {
  const v = versionOf(ctx);
  const treeUsesKfuncsSets = (ctx.tree?.after?.kfuncs ?? []).some((k) => k.kfuncsSet);
  const newForm = versionAtLeast(v, 6, 9) ?? treeUsesKfuncsSets;
  if (!newForm) return;
  const flagsSets = new Set(scanFlagsLines(ctx.patch).map((l) => l.set).filter((s): s is string => s !== null));
  for (const k of ctx.tree?.after?.kfuncs ?? []) if (k.set && !k.kfuncsSet) flagsSets.add(k.set);
  for (const l of allLines(ctx.patch)) {
    if (l.kind !== 'add') continue;
    const m = /^\s*BTF_SET8_START\s*\(\s*(\w+)\s*\)/.exec(l.text);
    if (!m || !flagsSets.has(m[1] as string)) continue;
    ctx.report({ messageId: 'set8', data: { set: m[1] as string }, file: l.file, line: l.line });
  }
});
