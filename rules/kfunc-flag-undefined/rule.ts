import { definePatchRule } from '../../src/engine/rule-kit.js';
import { FLAG_HISTORY, versionLabel } from '../../src/engine/bpf-knowledge/kf-registry.js';
import { addedFlagsLines, definedFlags, statusOf, versionOf } from '../../src/engine/bpf-knowledge/kfunc-view.js';
import { closestName } from '../../src/engine/bpf-knowledge/names.js';

export const rule = definePatchRule({
  id: 'kfunc-flag-undefined',
  description: 'A BTF_ID_FLAGS line uses a KF_* flag that include/linux/btf.h does not define at the target version (removed, not yet added, never merged, documented only, or a typo).',
  severity: 'error',
  needs: [],
  source: 'include/linux/btf.h KF_* defines per version (bpf-semantics.md §1.1-1.3, §7.1 F1/F24); Alexei Starovoitov, "typo: KF_RCU." (Re: [PATCH bpf-next 2/3] bpf: Remove KF_KPTR_GET kfunc flag, 15 Apr 2023)',
  messages: {
    removed: '{{flag}} is not defined at {{version}}: it was {{note}}. BTF_ID_FLAGS(func, {{kfunc}}, ...) will not build against this tree. Was this written against an older tree?',
    notYet: '{{flag}} does not exist yet at {{version}} ({{note}}), so BTF_ID_FLAGS(func, {{kfunc}}, ...) will not build against this tree. Does the series depend on another one?',
    neverMerged: '{{flag}} is not defined in include/linux/btf.h: {{why}}. BTF_ID_FLAGS(func, {{kfunc}}, ...) will not build against this tree.',
    docOnly: '{{flag}} is described in Documentation/bpf/kfuncs.rst, but include/linux/btf.h has never defined it, so BTF_ID_FLAGS(func, {{kfunc}}, ...) will not build. Could the deprecation be recorded in the kfunc\'s kernel-doc instead, as kfuncs.rst asks?',
    pendingFork: '{{flag}} only exists in a pending series and was merged as {{merged}}. Is this meant to be {{merged}}?',
    unknown: '{{flag}} is not defined in include/linux/btf.h at {{version}}. Is it a typo for {{suggest}}?',
    unknownNoSuggestion: '{{flag}} is not defined in include/linux/btf.h at {{version}}, and no patch of this series defines it. Where does it come from?',
  },
}, (ctx) => {
  const defined = definedFlags(ctx);
  const version = versionLabel(versionOf(ctx));
  for (const l of addedFlagsLines(ctx)) {
    for (const flag of l.flags) {
      const st = statusOf(ctx, flag);
      const at = { file: l.file, line: l.line, key: `${l.name}:${flag}` };
      const data = { flag, kfunc: l.name, version };
      switch (st.kind) {
        case 'defined':
          break;
        case 'removed':
          ctx.report({ messageId: 'removed', data: { ...data, note: st.note }, ...at });
          break;
        case 'not-yet':
          ctx.report({ messageId: 'notYet', data: { ...data, note: st.note }, ...at });
          break;
        case 'never-merged':
          ctx.report({ messageId: 'neverMerged', data: { ...data, why: st.why }, ...at });
          break;
        case 'doc-only':
          ctx.report({ messageId: 'docOnly', data, ...at });
          break;
        case 'pending-fork':
          ctx.report({ messageId: 'pendingFork', data: { ...data, merged: st.merged }, ...at });
          break;
        case 'unknown': {
          if (defined === null) {
            // no tree and no version: only a name defined nowhere in the series is surely wrong
            const inSeries = ctx.series.patches.some((p) => p.files.some((f) => f.hunks.some((h) => h.lines.some((x) => x.kind === 'add' && new RegExp(`#\\s*define\\s+${flag}\\b`).test(x.text)))));
            if (inSeries) break;
          }
          const pool = defined ? [...defined] : FLAG_HISTORY.map((f) => f.name);
          const suggest = closestName(flag, pool);
          if (suggest) ctx.report({ messageId: 'unknown', data: { ...data, suggest }, ...at });
          else ctx.report({ messageId: 'unknownNoSuggestion', data, ...at });
          break;
        }
      }
    }
  }
});
