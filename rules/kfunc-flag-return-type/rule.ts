import { definePatchRule } from '../../src/engine/rule-kit.js';
import { ACQUIRE_RETURN_EXEMPT } from '../../src/engine/bpf-knowledge/kf-registry.js';
import { addedFlagsLines, isTestKfuncFile, prototypeOf } from '../../src/engine/bpf-knowledge/kfunc-view.js';

export const rule = definePatchRule({
  id: 'kfunc-flag-return-type',
  description: 'KF_ACQUIRE on a kfunc that does not return a struct pointer (every call fails), KF_RET_NULL on a scalar or void return (no effect).',
  severity: 'error',
  needs: [],
  source: 'kernel/bpf/verifier.c check_kfunc_call(): "acquire kernel function does not return PTR_TO_BTF_ID", and KF_RET_NULL applied only in the pointer-return branch (bpf-semantics.md §3.2, §7.1 F7/F8)',
  messages: {
    acquireNotStructPtr: '{{kfunc}} is KF_ACQUIRE but returns "{{ret}}". check_kfunc_call() rejects every call of an acquire kfunc whose return is not a pointer to a struct ("acquire kernel function does not return PTR_TO_BTF_ID"); only bpf_obj_new and friends are exempt. Is KF_ACQUIRE intended here?',
    retNullScalar: '{{kfunc}} is KF_RET_NULL but returns "{{ret}}". check_kfunc_call() only applies KF_RET_NULL to pointer returns, so the flag has no effect here. Should it be dropped?',
  },
}, (ctx) => {
  // test modules register deliberately broken kfuncs for the verifier's negative selftests
  for (const l of addedFlagsLines(ctx).filter((x) => !isTestKfuncFile(x.file))) {
    if (!l.flags.includes('KF_ACQUIRE') && !l.flags.includes('KF_RET_NULL')) continue;
    const proto = prototypeOf(ctx, l.name, l.file);
    if (!proto) continue;
    const at = { file: l.file, line: l.line };
    if (l.flags.includes('KF_ACQUIRE') && !proto.returnsStructPointer && !ACQUIRE_RETURN_EXEMPT.includes(l.name)) {
      ctx.report({ messageId: 'acquireNotStructPtr', data: { kfunc: l.name, ret: proto.returnType }, ...at });
    }
    if (l.flags.includes('KF_RET_NULL') && !proto.returnsPointer) {
      ctx.report({ messageId: 'retNullScalar', data: { kfunc: l.name, ret: proto.returnType }, ...at, severity: 'warning' });
    }
  }
});
