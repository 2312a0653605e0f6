import { definePatchRule } from '../../src/engine/rule-kit.js';
import { enclosingStruct, functionBody, maskComments, structMembers } from '../../src/engine/bpf-knowledge/c-snippets.js';
import { hunkLines } from '../../src/engine/bpf-knowledge/patch-scan.js';
import { seriesIncomplete } from '../../src/engine/bpf-knowledge/kfunc-view.js';
import { filePath } from '../../src/model/diff.js';

const STATE_STRUCTS = ['bpf_reg_state', 'bpf_verifier_state', 'bpf_func_state', 'bpf_reference_state'];
const ID_STRUCTS = ['bpf_reg_state', 'bpf_verifier_state'];
const COMPARE_FNS = ['regsafe', 'states_equal', 'func_states_equal', 'stacksafe', 'refsafe', 'check_ids', 'check_scalar_ids', 'range_within', 'check_ids_equal'];
const MEMBER = /^\s+(?:(?:const|volatile|unsigned|signed|struct|union|enum)\s+)*[\w]+[\s*]+(\w+)\s*(?:\[[^\]]*\])?\s*(?::\s*\d+)?;|^\s+\}\s*(\w+)\s*;/;

const isIdName = (n: string) => /(^|_)id$|_ids$|^id_/.test(n);

export const rule = definePatchRule({
  id: 'verifier-state-not-compared',
  description: 'A new member of bpf_reg_state / bpf_verifier_state / bpf_func_state / bpf_reference_state that the state-equivalence code (regsafe(), states_equal(), func_states_equal(), refsafe(), check_ids()) does not compare; an id-like member must go through check_ids().',
  severity: 'warning',
  needs: [],
  source: 'Alexei Starovoitov, "We have to do the comparison of this new ID via idmap as well" (Re: [PATCH v2 bpf-next 02/13] bpf: Migrate release_on_unlock logic to non-owning ref semantics, 28 Dec 2022); kernel/bpf/verifier.c states_equal(): active_lock.id compared with check_ids(), regsafe() memcmp up to offsetof(struct bpf_reg_state, parent) (bpf-semantics.md §6.4, §7.1)',
  messages: {
    idNotMapped: '{{member}} is a new member of struct {{struct}} and holds an id{{via}}, but {{how}}. Ids are handed out per verification path, so two equivalent states usually carry different ids and a byte compare either stops pruning or, worse, equates states whose ids pair up differently. Alexei: "We have to do the comparison of this new ID via idmap as well." Should {{fn}}() compare it with check_ids(), as states_equal() does for active_lock.id?',
    notCompared: '{{member}} is a new member of struct {{struct}}, but none of {{fns}} reads it{{prefix}}. If it affects what a program may do, state pruning can treat two states as equal when they differ in it. Should {{fn}}() compare it, or is it bookkeeping like parent and live?',
    idNotMappedDiffOnly: '{{member}} is a new id-like member of struct {{struct}}, and {{scope}} compares it in regsafe() or states_equal(). Does state pruning compare it (through check_ids(), as states_equal() does for active_lock.id)? Alexei on the same kind of change: "We have to do the comparison of this new ID via idmap as well."',
  },
}, (ctx) => {
  let compareBodies: { fn: string; body: string }[] | null = null;
  const bodiesOnce = () => {
    if (compareBodies) return compareBodies;
    const masked = maskComments(ctx.tree?.readAfter('kernel/bpf/verifier.c') ?? '');
    compareBodies = COMPARE_FNS.map((fn) => ({ fn, body: functionBody(masked, fn)?.body ?? '' })).filter((b) => b.body !== '');
    return compareBodies;
  };
  for (const f of ctx.patch.files) {
    const file = filePath(f);
    if (!/include\/linux\/bpf_verifier\.h$/.test(file)) continue;
    const afterText = ctx.tree?.readAfter(file) ?? null;
    const beforeText = ctx.tree?.readBefore(file) ?? null;
    const removed = f.hunks.flatMap((h) => h.lines.filter((l) => l.kind === 'del').map((l) => l.text)).join('\n');
    for (const h of f.hunks) {
      const lines = hunkLines(f, h);
      const newSide = lines.filter((l) => l.kind !== 'del');
      const offset = afterText ? locate(afterText, newSide.map((l) => l.text), h.newStart) : null;
      for (let i = 0; i < newSide.length; i++) {
        const l = newSide[i]!;
        if (l.kind !== 'add') continue;
        const m = MEMBER.exec(maskComments(l.text));
        if (!m) continue;
        const member = (m[1] ?? m[2]) as string;
        let struct: string | null = null;
        if (afterText && offset !== null) struct = enclosingStruct(afterText, l.line + offset);
        if (!struct) {
          for (let j = i; j >= 0 && !struct; j--) struct = /^struct\s+(\w+)\s*\{/.exec(newSide[j]!.text)?.[1] ?? null;
          struct = struct ?? /^struct\s+(\w+)\s*\{/.exec(h.section)?.[1] ?? null;
        }
        if (!struct || !STATE_STRUCTS.includes(struct)) continue;
        // an existing member moved or retyped is not new
        if (beforeText) {
          if (structMembers(beforeText, struct)?.members.some((x) => x.name === member)) continue;
        } else if (new RegExp(`\\b${member}\\s*;`).test(removed)) continue;
        const decl = afterText ? structMembers(afterText, struct)?.members.find((x) => x.name === member) : undefined;
        const typeStruct = /struct\s+(\w+)/.exec(decl?.type ?? l.text)?.[1];
        const typeText = afterText ?? f.hunks.flatMap((x) => x.lines.filter((y) => y.kind !== 'del').map((y) => y.text)).join('\n');
        const typeHasId = typeStruct ? (structMembers(typeText, typeStruct)?.members.some((x) => isIdName(x.name)) ?? false) : false;
        const idLike = ID_STRUCTS.includes(struct) && (isIdName(member) || typeHasId);
        const via = typeHasId && !isIdName(member) ? ` (struct ${typeStruct} has an id member)` : '';
        const at = { file, line: l.line };
        if (ctx.mode !== 'tree' || !ctx.tree) {
          if (!idLike) continue;
          const touches = ctx.series.patches.some((p) => p.files.some((pf) => pf.hunks.some((ph) => /\b(regsafe|states_equal|func_states_equal)\b/.test(ph.section) && ph.lines.some((x) => x.kind === 'add' && x.text.includes(member)))));
          if (!touches) ctx.report({ messageId: 'idNotMappedDiffOnly', data: { member, struct, scope: seriesIncomplete(ctx) ? 'none of the patches of this series at hand' : 'no patch of this series' }, ...at });
          continue;
        }
        const bodies = bodiesOnce();
        const facts = ctx.tree.after?.verifierFunctions ?? [];
        if (bodies.length === 0 && facts.length === 0) continue; // nothing to compare against
        const memberRe = new RegExp(`(->|\\.)${member}\\b`);
        const readers = bodies.filter((b) => memberRe.test(b.body)).map((b) => b.fn);
        for (const fr of facts) if (fr.membersRead.includes(member) && !readers.includes(fr.name)) readers.push(fr.name);
        const viaIds = bodies.some((b) => new RegExp(`check_(scalar_)?ids\\s*\\([^;]*\\b${member}\\b`).test(b.body)) || facts.some((fr) => fr.idsChecked.includes(member));
        // memcmp(rold, rcur, offsetof(struct S, X)) compares every member declared before X
        const order = (afterText ? structMembers(afterText, struct)?.members : undefined) ?? [];
        const idx = order.findIndex((x) => x.name === member);
        let prefixFn: string | null = null;
        for (const b of bodies) {
          for (const om of b.body.matchAll(new RegExp(`memcmp\\s*\\([^;]*offsetof\\s*\\(\\s*struct\\s+${struct}\\s*,\\s*(\\w+)\\s*\\)`, 'g'))) {
            const lim = order.findIndex((x) => x.name === om[1]);
            if (idx >= 0 && lim > idx) prefixFn = b.fn;
          }
          if (struct === 'bpf_reference_state' && /memcmp\s*\([^;]*refs/.test(b.body)) prefixFn = b.fn;
        }
        const primary = struct === 'bpf_verifier_state' ? 'states_equal' : struct === 'bpf_func_state' ? 'func_states_equal' : struct === 'bpf_reference_state' ? 'refsafe' : 'regsafe';
        if (idLike) {
          if (viaIds) continue;
          const how = prefixFn ? `${prefixFn}() only compares it byte for byte (memcmp() up to the offsetof() bound)`
            : readers.length ? `${readers.map((r) => `${r}()`).join(' and ')} compare it by value, not through the idmap`
            : `neither regsafe() nor states_equal() looks at it`;
          ctx.report({ messageId: 'idNotMapped', data: { member, struct, via, how, fn: primary }, ...at, severity: prefixFn || readers.length ? 'warning' : 'error' });
        } else if (!readers.length && !prefixFn) {
          ctx.report({ messageId: 'notCompared', data: { member, struct, fns: bodies.map((b) => `${b.fn}()`).join(', '), prefix: '', fn: primary }, ...at });
        }
      }
    }
  }
});

/** How far the tree's copy of a hunk is from where its header says (git applies with offsets). */
function locate(text: string, block: string[], newStart: number): number | null {
  const lines = text.split('\n');
  const want = newStart - 1;
  const matches = (i: number) => i >= 0 && i + block.length <= lines.length && block.every((b, k) => lines[i + k] === b);
  for (let d = 0; d <= lines.length; d++) {
    if (matches(want - d)) return -d;
    if (matches(want + d)) return d;
  }
  return null;
}
