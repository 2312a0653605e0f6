import { definePatchRule } from '../../src/engine/rule-kit.js';
import { addedFlagsLines, isTestKfuncFile, prototypeOf } from '../../src/engine/bpf-knowledge/kfunc-view.js';

export const rule = definePatchRule({
  id: 'kfunc-release-arg',
  description: 'KF_RELEASE on a kfunc without any pointer argument: every call is rejected.',
  severity: 'error',
  needs: [],
  source: 'kernel/bpf/verifier.c check_kfunc_args(): "release kernel function %s expects refcounted PTR_TO_BTF_ID"; Documentation/bpf/kfuncs.rst KF_RELEASE (bpf-semantics.md §3.2, §7.1 F9)',
  messages: {
    noPointer: '{{kfunc}} is KF_RELEASE but takes no pointer argument ({{proto}}). A release kfunc releases the one referenced pointer passed to it, so check_kfunc_args() would reject every call with "release kernel function {{kfunc}} expects refcounted PTR_TO_BTF_ID". Is KF_RELEASE intended?',
  },
}, (ctx) => {
  // test modules register deliberately broken kfuncs for the verifier's negative selftests
  for (const l of addedFlagsLines(ctx).filter((x) => !isTestKfuncFile(x.file))) {
    if (!l.flags.includes('KF_RELEASE')) continue;
    const proto = prototypeOf(ctx, l.name, l.file);
    if (!proto || proto.params.some((p) => p.isPointer)) continue;
    const args = proto.params.map((p) => `${p.type} ${p.name}`.trim()).join(', ') || 'void';
    ctx.report({ messageId: 'noPointer', data: { kfunc: l.name, proto: `${proto.returnType} ${proto.name}(${args})` }, file: l.file, line: l.line });
  }
});
