import { definePatchRule } from '../../src/engine/rule-kit.js';
import { ITER_FLAGS } from '../../src/engine/bpf-knowledge/kf-registry.js';
import { addedFlagsLines, prototypeOf } from '../../src/engine/bpf-knowledge/kfunc-view.js';

const SUFFIX: Record<string, string> = { KF_ITER_NEW: 'new', KF_ITER_NEXT: 'next', KF_ITER_DESTROY: 'destroy' };
const SOURCE = 'kernel/bpf/btf.c btf_check_iter_kfuncs() (v6.4+: registration fails with -EINVAL and no log)';

export const rule = definePatchRule({
  id: 'kfunc-iter-flags',
  description: 'Open-coded iterator kfuncs: exactly one KF_ITER_* flag, a bpf_iter_<type>_{new,next,destroy} name matching it, the prototype btf_check_iter_kfuncs() wants, and KF_RET_NULL on _next.',
  severity: 'error',
  needs: [],
  source: `${SOURCE}; kernel/bpf/helpers.c (every in-tree _next is KF_ITER_NEXT | KF_RET_NULL); bpf-semantics.md §3.1, §7.1 F4-F6`,
  messages: {
    several: '{{kfunc}} has {{flags}}, but only one of KF_ITER_{NEW,NEXT,DESTROY} may be set per kfunc ("exactly one of KF_ITER_{NEW,NEXT,DESTROY} can be set" in btf_check_iter_kfuncs()). Registration of the whole set would fail with -EINVAL, without a log message.',
    badName: '{{kfunc}} is marked {{flag}}, but btf_check_iter_kfuncs() requires the name bpf_iter_<type>_{{suffix}}; registration would fail with -EINVAL, without a log message. Should it be renamed?',
    arg0: '{{kfunc}} is an iterator kfunc, so its first argument must be a pointer to struct bpf_iter_{{type}} (btf_check_iter_kfuncs()); it is "{{got}}". Registration would fail with -EINVAL.',
    nargs: '{{kfunc}} takes {{n}} arguments, but only the _new constructor of an iterator may take more than the iterator itself (btf_check_iter_kfuncs()). Registration would fail with -EINVAL.',
    nextReturn: '{{kfunc}} must return a pointer: btf_check_iter_kfuncs() rejects a _next method returning "{{ret}}".',
    destroyReturn: '{{kfunc}} must return void: btf_check_iter_kfuncs() rejects a _destroy method returning "{{ret}}".',
    emptyIter: 'struct bpf_iter_{{type}} has no members, but btf_check_iter_kfuncs() requires the iterator struct to have a non-zero size that is a multiple of 8.',
    nextNoRetNull: 'This isn\'t a bug, but {{kfunc}} is KF_ITER_NEXT without KF_RET_NULL. A _next method ends the loop by returning NULL, and every in-tree iterator pairs the two flags (bpf_iter_num_next, bpf_iter_task_next, ...). Should it be KF_ITER_NEXT | KF_RET_NULL?',
  },
}, (ctx) => {
  for (const l of addedFlagsLines(ctx)) {
    const iter = l.flags.filter((f) => (ITER_FLAGS as readonly string[]).includes(f));
    if (iter.length === 0) continue;
    const at = { file: l.file, line: l.line };
    if (iter.length > 1) {
      ctx.report({ messageId: 'several', data: { kfunc: l.name, flags: iter.join(' | ') }, ...at });
      continue;
    }
    const flag = iter[0] as string;
    const suffix = SUFFIX[flag] as string;
    const m = new RegExp(`^bpf_iter_(\\w+)_${suffix}$`).exec(l.name);
    if (!m) {
      ctx.report({ messageId: 'badName', data: { kfunc: l.name, flag, suffix }, ...at });
      continue;
    }
    const type = m[1] as string;
    if (flag === 'KF_ITER_NEXT' && !l.flags.includes('KF_RET_NULL')) ctx.report({ messageId: 'nextNoRetNull', data: { kfunc: l.name }, ...at, severity: 'warning' });
    const proto = prototypeOf(ctx, l.name, l.file);
    if (!proto) continue;
    const a0 = proto.params[0];
    const want = new RegExp(`^(const )?struct bpf_iter_${type} \\*$`);
    if (!a0 || !want.test(a0.type)) ctx.report({ messageId: 'arg0', data: { kfunc: l.name, type, got: a0 ? a0.type : 'no argument' }, ...at });
    if (flag !== 'KF_ITER_NEW' && proto.params.length > 1) ctx.report({ messageId: 'nargs', data: { kfunc: l.name, n: proto.params.length }, ...at });
    if (flag === 'KF_ITER_NEXT' && !proto.returnsPointer) ctx.report({ messageId: 'nextReturn', data: { kfunc: l.name, ret: proto.returnType }, ...at });
    if (flag === 'KF_ITER_DESTROY' && !proto.returnsVoid) ctx.report({ messageId: 'destroyReturn', data: { kfunc: l.name, ret: proto.returnType }, ...at });
    if (flag === 'KF_ITER_NEW') {
      const st = ctx.tree?.after?.structs.find((s) => s.name === `bpf_iter_${type}`);
      if (st && st.members.length === 0) ctx.report({ messageId: 'emptyIter', data: { type }, ...at });
    }
  }
});
