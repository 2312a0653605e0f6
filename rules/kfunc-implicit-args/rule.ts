import { definePatchRule } from '../../src/engine/rule-kit.js';
import { addedFlagsLines, prototypeOf } from '../../src/engine/bpf-knowledge/kfunc-view.js';
import { hunkLines, scanFlagsLines } from '../../src/engine/bpf-knowledge/patch-scan.js';

export const rule = definePatchRule({
  id: 'kfunc-implicit-args',
  description: 'KF_IMPLICIT_ARGS on a kfunc with no struct bpf_prog_aux * parameter (a no-op), on an _impl name, or BPF code calling the _impl variant.',
  severity: 'warning',
  needs: [],
  source: 'Documentation/bpf/kfuncs.rst v7.1 KF_IMPLICIT_ARGS ("Currently only struct bpf_prog_aux * type is supported", "Verifier only allows calls to the non-_impl version"); tools/bpf/resolve_btfids/main.c KF_IMPL_SUFFIX (bpf-semantics.md §2.2, §7.1 F17/F18)',
  messages: {
    noProgAux: '{{kfunc}} is KF_IMPLICIT_ARGS but has no struct bpf_prog_aux * parameter, and that is the only implicit argument the verifier supplies, so the flag does nothing here. Is it needed?',
    implName: '{{kfunc}} is registered with KF_IMPLICIT_ARGS under its _impl name. resolve_btfids makes the _impl function from the BPF-facing one, and the verifier only allows calls to the non-_impl version; should the BTF_ID_FLAGS line name {{base}}?',
    callsImpl: 'This BPF program calls {{call}}, but {{base}} is KF_IMPLICIT_ARGS and the verifier only allows calls to the non-_impl version. Should it call {{base}}()?',
  },
}, (ctx) => {
  const implicit = new Set<string>();
  for (const k of ctx.tree?.after?.kfuncs ?? []) if (k.flags.includes('KF_IMPLICIT_ARGS')) implicit.add(k.name);
  for (const l of addedFlagsLines(ctx)) {
    if (!l.flags.includes('KF_IMPLICIT_ARGS')) continue;
    implicit.add(l.name);
    const at = { file: l.file, line: l.line };
    if (l.name.endsWith('_impl')) {
      ctx.report({ messageId: 'implName', data: { kfunc: l.name, base: l.name.replace(/_impl$/, '') }, ...at });
      continue;
    }
    const proto = prototypeOf(ctx, l.name, l.file);
    if (proto && !proto.params.some((p) => /^struct bpf_prog_aux \*$/.test(p.type))) ctx.report({ messageId: 'noProgAux', data: { kfunc: l.name }, ...at });
  }
  // a legacy _impl kfunc that is itself registered stays callable (bpf_wq_set_callback_impl)
  const registered = new Set([...(ctx.tree?.after?.kfuncs ?? []).map((k) => k.name), ...ctx.series.patches.flatMap((p) => scanFlagsLines(p).filter((x) => x.kind !== 'del').map((x) => x.name))]);
  for (const f of ctx.patch.files) {
    const file = f.newPath ?? '';
    if (!/tools\/testing\/selftests\/bpf\/progs\//.test(file)) continue;
    for (const h of f.hunks) {
      const lines = hunkLines(f, h).filter((x) => x.kind !== 'del');
      lines.forEach((l, i) => {
        if (l.kind !== 'add' || /\b(extern|__ksym)\b/.test(l.text)) return;
        for (const m of l.text.matchAll(/\b(\w+)_impl\s*\(/g)) {
          const base = m[1] as string;
          if (!implicit.has(base) || registered.has(`${base}_impl`)) continue;
          if (negativeTest(lines.slice(0, i).map((x) => x.text))) continue;
          ctx.report({ messageId: 'callsImpl', data: { call: `${base}_impl()`, base }, file: l.file, line: l.line });
        }
      });
    }
  }
});

/** The program around the call is a negative test (__failure above it, after its SEC()). */
function negativeTest(before: string[]): boolean {
  for (let i = before.length - 1; i >= 0; i--) {
    const t = before[i] as string;
    if (/__failure|__msg\(/.test(t)) return true;
    if (/\bSEC\(/.test(t)) return false;
  }
  return false;
}
