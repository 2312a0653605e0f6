import { definePatchRule } from '../../src/engine/rule-kit.js';
import { addedFlagsLines, flagsText } from '../../src/engine/bpf-knowledge/kfunc-view.js';
import { scanFlagsLines } from '../../src/engine/bpf-knowledge/patch-scan.js';

const HOOK: Record<string, string> = {
  BPF_PROG_TYPE_UNSPEC: 'COMMON', BPF_PROG_TYPE_XDP: 'XDP', BPF_PROG_TYPE_SCHED_CLS: 'TC', BPF_PROG_TYPE_STRUCT_OPS: 'STRUCT_OPS',
  BPF_PROG_TYPE_TRACING: 'TRACING', BPF_PROG_TYPE_TRACEPOINT: 'TRACING', BPF_PROG_TYPE_RAW_TRACEPOINT: 'TRACING', BPF_PROG_TYPE_PERF_EVENT: 'TRACING',
  BPF_PROG_TYPE_LSM: 'TRACING', BPF_PROG_TYPE_SYSCALL: 'SYSCALL',
};
const hookOf = (pt: string) => HOOK[pt] ?? (/CGROUP|SOCK_OPS/.test(pt) ? 'CGROUP' : /LWT/.test(pt) ? 'LWT' : pt);

export const rule = definePatchRule({
  id: 'kfunc-duplicate-entry',
  description: 'A kfunc listed twice in one set, or in two sets for the same program-type hook with different flags.',
  severity: 'warning',
  needs: [],
  source: 'kernel/bpf/btf.c btf_populate_kfunc_set()/__btf_kfunc_id_set_contains(): sets for a hook are concatenated, sorted and bsearch\'ed, so duplicate ids make the flags ambiguous; bpf_prog_type_to_kfunc_hook() (bpf-semantics.md §2.1, §7.1 F23)',
  messages: {
    sameSet: '{{kfunc}} is already listed in {{set}}{{where}}. Which BTF_ID_FLAGS line should the verifier use? The set is sorted and searched by id, so with two entries the flags it sees are whichever sorts first.',
    otherSet: '{{kfunc}} is registered with {{flags}} here and with {{otherFlags}} in {{otherSet}}, and both sets serve the {{hook}} hook. The verifier looks the id up in the merged, sorted set, so which flags apply is not defined. Should one entry go?',
  },
}, (ctx) => {
  const added = addedFlagsLines(ctx);
  const all = scanFlagsLines(ctx.patch);
  const kfuncs = ctx.tree?.after?.kfuncs ?? [];
  for (const l of added) {
    // duplicate inside what the patch shows of one set
    const twin = all.find((o) => o !== l && o.kind !== 'del' && o.name === l.name && o.file === l.file && o.set === l.set && (o.line < l.line || o.kind === 'ctx'));
    const treeEntries = kfuncs.filter((k) => k.name === l.name);
    const mine = treeEntries.find((k) => k.file === l.file && k.flags.join('|') === l.flags.join('|'));
    const setName = l.set ?? mine?.set ?? null;
    const treeTwin = setName ? treeEntries.filter((k) => k.set === setName) : [];
    if (twin || treeTwin.length > 1) {
      ctx.report({ messageId: 'sameSet', data: { kfunc: l.name, set: setName ?? 'this set', where: twin ? ` (line ${twin.line})` : '' }, file: l.file, line: l.line });
      continue;
    }
    if (!mine) continue;
    for (const o of treeEntries) {
      if (o === mine || o.set === mine.set || o.flags.join('|') === mine.flags.join('|')) continue;
      const hooks = new Set(mine.progTypes.map(hookOf));
      const shared = o.progTypes.map(hookOf).find((h) => hooks.has(h) || h === 'COMMON' || hooks.has('COMMON'));
      if (!shared) continue;
      ctx.report({ messageId: 'otherSet', data: { kfunc: l.name, flags: flagsText(l.flags), otherFlags: flagsText(o.flags), otherSet: o.set ?? o.file, hook: shared }, file: l.file, line: l.line });
      break;
    }
  }
});
