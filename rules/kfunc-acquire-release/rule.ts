import { definePatchRule } from '../../src/engine/rule-kit.js';
import { addedFlagsLines, prototypeOf } from '../../src/engine/bpf-knowledge/kfunc-view.js';

export const rule = definePatchRule({
  id: 'kfunc-acquire-release',
  description: 'KF_ACQUIRE | KF_RELEASE is legal (bpf_ct_insert_entry), but a new one taking several pointers leaves open which argument it releases.',
  severity: 'info',
  needs: [],
  source: 'net/netfilter/nf_conntrack_bpf.c BTF_ID_FLAGS(func, bpf_ct_insert_entry, KF_ACQUIRE | KF_RELEASE | KF_RET_NULL); kernel/bpf/verifier.c check_kfunc_args(): one referenced argument per release kfunc (bpf-semantics.md §3.1, §7.1 F16)',
  messages: {
    whichArg: 'This isn\'t a bug, but {{kfunc}} is KF_ACQUIRE | KF_RELEASE and takes {{n}} pointers ({{params}}). Like bpf_ct_insert_entry(), it will consume the one referenced argument and return a new reference; the verifier takes whichever argument carries a reference (two referenced arguments is a verifier error). Could the commit message or kernel-doc say which argument is released?',
  },
}, (ctx) => {
  for (const l of addedFlagsLines(ctx)) {
    if (!l.flags.includes('KF_ACQUIRE') || !l.flags.includes('KF_RELEASE')) continue;
    const proto = prototypeOf(ctx, l.name, l.file);
    if (!proto) continue;
    const ptrs = proto.params.filter((p) => p.isPointer && !p.suffix);
    if (ptrs.length < 2) continue;
    ctx.report({ messageId: 'whichArg', data: { kfunc: l.name, n: ptrs.length, params: ptrs.map((p) => p.name).join(', ') }, file: l.file, line: l.line });
  }
});
