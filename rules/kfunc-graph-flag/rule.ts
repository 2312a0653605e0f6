import { definePatchRule } from '../../src/engine/rule-kit.js';
import { NEVER_MERGED, isGraphKfunc } from '../../src/engine/bpf-knowledge/kf-registry.js';
import { addedFlagsLines, allUses } from '../../src/engine/bpf-knowledge/kfunc-view.js';
import { newFlagDefines } from '../../src/engine/bpf-knowledge/patch-scan.js';

const GRAPH_NAME = /NON_OWN|OWNING|GRAPH|_LIST_|RBTREE|RB_NODE|_NODE\b|_ROOT\b/;
const GRAPH_COMMENT = /non-owning|owning ref|linked list|\blist\b|rbtree|\bgraph\b|\bnode\b/i;

export const rule = definePatchRule({
  id: 'kfunc-graph-flag',
  description: 'A new kfunc flag invented for list/rbtree ownership, where the verifier special-cases the graph kfuncs by BTF id.',
  severity: 'warning',
  needs: [],
  source: 'Alexei Starovoitov and David Vernet on KF_RELEASE_NON_OWN (Re: [PATCH v2 bpf-next 02/13] bpf: Migrate release_on_unlock logic to non-owning ref semantics, 28-29 Dec 2022): "No need for this flag.", "I think we should just special-case these kfuncs in the verifier as graph-type kfuncs"; merged v6.3 design: kernel/bpf/verifier.c special_kfunc_list, is_bpf_list_api_kfunc()/is_bpf_graph_api_kfunc() (bpf-semantics.md §1.3, §4.2, §7.1 F22)',
  messages: {
    graphFlag: '{{flag}} is a kfunc flag for list/rbtree ownership{{users}}. The graph kfuncs are already special-cased by BTF id in the verifier (special_kfunc_list, is_bpf_list_api_kfunc()), and a kfunc writer outside the graph code would never need this flag. David Vernet: "I think we should just special-case these kfuncs in the verifier as graph-type kfuncs in some static global array(s)." Could the verifier handle these kfuncs by BTF id instead of a new flag?',
    knownRejected: '{{flag}} is a flag for list/rbtree ownership that upstream did not take: {{why}}. Alexei on the flag: "No need for this flag." Could the graph kfuncs be special-cased by BTF id instead (special_kfunc_list, is_bpf_list_api_kfunc())? Bit {{bit}} also went to {{later}} later, so the value would clash with newer trees.',
    graphUse: '{{kfunc}} is a graph kfunc the verifier already identifies by BTF id ({{where}}), so it should not need {{flag}}: its argument handling can live in the graph-kfunc code of check_kfunc_call(). Alexei on this hunk: "No need for this."',
  },
}, (ctx) => {
  const uses = allUses(ctx);
  const graphFlags = new Set<string>();
  const LATER: Record<number, string> = { 8: 'KF_ITER_NEW', 9: 'KF_ITER_NEXT' };
  for (const d of newFlagDefines(ctx.patch)) {
    const users = uses.filter((u) => u.flags.includes(d.name)).map((u) => u.name);
    const byName = GRAPH_NAME.test(d.name) || GRAPH_COMMENT.test(d.comment);
    const byUse = users.length > 0 && users.every(isGraphKfunc);
    if (!byName && !byUse) continue;
    graphFlags.add(d.name);
    const nm = NEVER_MERGED[d.name];
    const at = { file: d.file, line: d.line };
    if (nm) {
      const later = LATER[nm.bit] ?? 'another flag';
      ctx.report({ messageId: 'knownRejected', data: { flag: d.name, why: nm.why, bit: nm.bit, later }, ...at });
    } else {
      ctx.report({ messageId: 'graphFlag', data: { flag: d.name, users: users.length ? ` (used only by ${[...new Set(users)].join(', ')})` : '' }, ...at });
    }
  }
  const lists = ctx.tree?.after?.kfuncLists ?? [];
  for (const l of addedFlagsLines(ctx)) {
    const flag = l.flags.find((f) => graphFlags.has(f));
    if (!flag || !isGraphKfunc(l.name)) continue;
    const pred = lists.find((x) => /^is_\w+/.test(x.name) && x.kfuncs.includes(l.name))?.name ?? predicateIn(ctx.tree?.readAfter('kernel/bpf/verifier.c') ?? null, l.name);
    const where = pred ? `${pred}()` : ctx.tree?.after?.specialKfuncs.includes(l.name) ? 'special_kfunc_list' : 'the graph kfunc handling in kernel/bpf/verifier.c';
    ctx.report({ messageId: 'graphUse', data: { kfunc: l.name, flag, where }, file: l.file, line: l.line, severity: 'info' });
  }
});

/** The verifier predicate that tests special_kfunc_list[KF_<name>] (is_bpf_list_api_kfunc ...), read from verifier.c. */
function predicateIn(verifier: string | null, name: string): string | null {
  if (!verifier) return null;
  const lines = verifier.split('\n');
  const at = lines.findIndex((l) => l.includes(`special_kfunc_list[KF_${name}]`));
  for (let i = at; i >= 0; i--) {
    const m = /^static\s+bool\s+(\w+)\s*\(/.exec(lines[i] as string);
    if (m) return m[1] as string;
    if (i < at && /^\}/.test(lines[i] as string)) return null;
  }
  return null;
}
