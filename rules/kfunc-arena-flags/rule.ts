import { definePatchRule } from '../../src/engine/rule-kit.js';
import { addedFlagsLines, prototypeOf } from '../../src/engine/bpf-knowledge/kfunc-view.js';

export const rule = definePatchRule({
  id: 'kfunc-arena-flags',
  description: 'KF_ARENA_RET on a kfunc that returns no pointer, KF_ARENA_ARG1/ARG2 where that argument is not a pointer (a meaningless BTF address_space tag).',
  severity: 'warning',
  needs: [],
  source: 'include/linux/btf.h KF_ARENA_* (v6.15+), consumed only by pahole / resolve_btfids to emit address_space(1) type tags (Ihor Solodrai, "bpf: define KF_ARENA_* flags for bpf_arena kfuncs", Feb 2025; bpf-semantics.md §1.2, §7.1 F19)',
  messages: {
    ret: '{{kfunc}} is KF_ARENA_RET but returns "{{ret}}". The flag only tells pahole to tag the returned pointer with address_space(1), so on a non-pointer return it means nothing. Is another flag intended?',
    arg: '{{kfunc}} is {{flag}}, but its argument {{n}} is {{what}}. The flag tags that pointer argument with address_space(1) in BTF; is the flag on the right kfunc (or the right argument)?',
  },
}, (ctx) => {
  for (const l of addedFlagsLines(ctx)) {
    const arena = l.flags.filter((f) => /^KF_ARENA_/.test(f));
    if (arena.length === 0) continue;
    const proto = prototypeOf(ctx, l.name, l.file);
    if (!proto) continue;
    const at = { file: l.file, line: l.line };
    if (arena.includes('KF_ARENA_RET') && !proto.returnsPointer) ctx.report({ messageId: 'ret', data: { kfunc: l.name, ret: proto.returnType }, ...at });
    for (const [flag, n] of [['KF_ARENA_ARG1', 1], ['KF_ARENA_ARG2', 2]] as const) {
      if (!arena.includes(flag)) continue;
      const p = proto.params[n - 1];
      if (p && p.isPointer) continue;
      ctx.report({ messageId: 'arg', data: { kfunc: l.name, flag, n, what: p ? `"${p.type} ${p.name}", not a pointer` : 'missing' }, ...at, key: flag });
    }
  }
});
