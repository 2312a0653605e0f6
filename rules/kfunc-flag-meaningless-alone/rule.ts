import { definePatchRule } from '../../src/engine/rule-kit.js';
import { allUses, seriesIncomplete } from '../../src/engine/bpf-knowledge/kfunc-view.js';
import { newFlagDefines } from '../../src/engine/bpf-knowledge/patch-scan.js';

export const rule = definePatchRule({
  id: 'kfunc-flag-meaningless-alone',
  description: 'A new kfunc flag that is only ever used together with one other flag, or whose meaning is described in terms of another flag: not a building block on its own.',
  severity: 'warning',
  needs: [],
  source: 'Alexei Starovoitov, "KF_RELEASE_NON_OWN by itself is a nonsensical flag. Only combination of KF_RELEASE|KF_RELEASE_NON_OWN sort-of kinda makes sense"; David Vernet, "if a flag doesn\'t make any sense on its own, or even possibly if it needs to be mutually exclusive with one or more other flags, it is probably never a correct building block" (Re: [PATCH v2 bpf-next 02/13], 28-29 Dec 2022; bpf-semantics.md §6.1, §6.2)',
  messages: {
    onlyWith: '{{flag}} is only used together with {{other}} ({{users}}){{scope}}{{described}}, so on its own it means nothing: what would a kfunc with {{flag}} but without {{other}} do? Alexei on KF_RELEASE_NON_OWN: "by itself is a nonsensical flag". If the behaviour belongs to a few specific kfuncs, could the verifier special-case them by BTF id instead of adding a flag?',
    describedWith: 'The series describes {{flag}} as used together with {{other}}, so it has no meaning of its own. David Vernet: "if a flag doesn\'t make any sense on its own ... it is probably never a correct building block." Could this be a property of specific kfuncs (special-cased by BTF id) rather than a new flag?',
  },
}, (ctx) => {
  const text = [ctx.patch.commitMessage, ...ctx.series.patches.map((p) => p.commitMessage), ctx.series.cover?.body ?? ''].join('\n').replace(/\s+/g, ' ');
  const uses = allUses(ctx);
  for (const d of newFlagDefines(ctx.patch)) {
    const mine = uses.filter((u) => u.flags.includes(d.name));
    const desc = new RegExp(`${d.name}[^.]{0,160}?(?:in conjunction with|together with|combined with|paired with|along with|only (?:meaningful|valid) with)\\s+(KF_\\w+)`).exec(text + ' ' + d.comment);
    const describedOther = desc && desc[1] !== d.name ? (desc[1] as string) : null;
    const at = { file: d.file, line: d.line };
    // the one other flag every use carries
    let common: string[] = [];
    if (mine.length > 0) {
      // KF_ITER_* say what kind of kfunc it is, not what another flag means (KF_RCU_PROTECTED came with iterators)
      common = (mine[0] as { flags: string[] }).flags.filter((f) => f !== d.name && !/^KF_ITER_/.test(f) && mine.every((u) => u.flags.includes(f)));
    }
    const strongUse = mine.length >= 2 && common.length === 1;
    const other = strongUse ? (common[0] as string) : describedOther && (mine.length === 0 || common.includes(describedOther)) ? describedOther : null;
    if (!other) continue;
    if (mine.length > 0 && (strongUse || describedOther === other)) {
      const users = [...new Set(mine.map((u) => u.name))].join(', ');
      ctx.report({ messageId: 'onlyWith', data: { flag: d.name, other, users, scope: seriesIncomplete(ctx) ? ' in the patches at hand' : '', described: describedOther ? ', and the commit message says it is to be used with it' : '' }, ...at });
    } else {
      ctx.report({ messageId: 'describedWith', data: { flag: d.name, other }, ...at });
    }
  }
});
