import { definePatchRule } from '../../src/engine/rule-kit.js';
import { addedFlagsLines, isTestKfuncFile, prototypeOf } from '../../src/engine/bpf-knowledge/kfunc-view.js';

export const rule = definePatchRule({
  id: 'kfunc-kptr-get',
  description: 'KF_KPTR_GET (v6.3 and older) without KF_ACQUIRE | KF_RET_NULL, or whose first argument is not a double pointer.',
  severity: 'error',
  needs: [],
  source: 'Documentation/bpf/kfuncs.rst v6.2 KF_KPTR_GET ("should be used in conjunction with KF_ACQUIRE and KF_RET_NULL flags"); kernel/bpf/verifier.c v6.2 "arg#0 BTF type must be a double pointer for kptr_get kfunc" (bpf-semantics.md §2.2, §3.2, §7.1 F13)',
  messages: {
    missingFlags: '{{kfunc}} is KF_KPTR_GET without {{missing}}. The kptr it returns may already be gone, and it is a new reference: Documentation/bpf/kfuncs.rst says KF_KPTR_GET "should be used in conjunction with KF_ACQUIRE and KF_RET_NULL flags".',
    notDoublePointer: '{{kfunc}} is KF_KPTR_GET, so its first argument must be a pointer to the kptr (a double pointer); it is "{{got}}". The verifier rejects every call with "arg#0 BTF type must be a double pointer for kptr_get kfunc".',
  },
}, (ctx) => {
  // test modules register deliberately broken kfuncs for the verifier's negative selftests
  for (const l of addedFlagsLines(ctx).filter((x) => !isTestKfuncFile(x.file))) {
    if (!l.flags.includes('KF_KPTR_GET')) continue;
    const at = { file: l.file, line: l.line };
    const missing = ['KF_ACQUIRE', 'KF_RET_NULL'].filter((f) => !l.flags.includes(f));
    if (missing.length) ctx.report({ messageId: 'missingFlags', data: { kfunc: l.name, missing: missing.join(' and ') }, ...at });
    const proto = prototypeOf(ctx, l.name, l.file);
    const a0 = proto?.params[0];
    if (proto && !(a0 && /\*\s*\*$/.test(a0.type.replace(/\s+/g, '')))) ctx.report({ messageId: 'notDoublePointer', data: { kfunc: l.name, got: a0 ? a0.type : 'no argument' }, ...at });
  }
});
