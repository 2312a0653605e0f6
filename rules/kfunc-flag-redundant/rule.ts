import { definePatchRule } from '../../src/engine/rule-kit.js';
import { versionAtLeast } from '../../src/engine/bpf-knowledge/kf-registry.js';
import { addedFlagsLines, versionOf } from '../../src/engine/bpf-knowledge/kfunc-view.js';

export const rule = definePatchRule({
  id: 'kfunc-flag-redundant',
  description: 'Flag combinations that say nothing more than one flag alone (KF_TRUSTED_ARGS with KF_RCU, or with KF_RELEASE after v6.3), or KF_ACQUIRE | KF_RCU without KF_RET_NULL.',
  severity: 'warning',
  needs: [],
  source: 'David Vernet, "Even KF_TRUSTED_ARGS doesn\'t really make sense, as it\'s redundant if KF_RCU is specified" (Re: [PATCH v2 bpf-next 02/13], 29 Dec 2022); kernel/bpf/verifier.c is_kfunc_trusted_args() (v6.4+ includes KF_RELEASE); Documentation/bpf/kfuncs.rst KF_RCU ("a KF_ACQUIRE kfunc that is KF_RCU should very likely also be KF_RET_NULL") (bpf-semantics.md §7.1 F10-F12)',
  messages: {
    acquireRcuNoRetNull: '{{kfunc}} is KF_ACQUIRE | KF_RCU without KF_RET_NULL. A KF_RCU argument may have a reference count of 0, so acquiring it can fail; Documentation/bpf/kfuncs.rst says such a kfunc "should very likely also be KF_RET_NULL", and every in-tree one is. Can it return NULL?',
    trustedWithRcu: 'This isn\'t a bug, but KF_TRUSTED_ARGS is redundant next to KF_RCU on {{kfunc}}: with KF_RCU the verifier checks the arguments exactly as for KF_RCU alone. David Vernet: "Even KF_TRUSTED_ARGS doesn\'t really make sense, as it\'s redundant if KF_RCU is specified."',
    trustedWithRelease: 'This isn\'t a bug, but KF_TRUSTED_ARGS is redundant on {{kfunc}}: since v6.4 KF_RELEASE kfuncs get the trusted-argument checks anyway (is_kfunc_trusted_args() includes is_kfunc_release()). Could it be KF_RELEASE alone?',
  },
}, (ctx) => {
  const v = versionOf(ctx);
  for (const l of addedFlagsLines(ctx)) {
    const has = (f: string) => l.flags.includes(f);
    const at = { file: l.file, line: l.line };
    if (has('KF_ACQUIRE') && has('KF_RCU') && !has('KF_RET_NULL') && versionAtLeast(v, 6, 4) !== false) {
      ctx.report({ messageId: 'acquireRcuNoRetNull', data: { kfunc: l.name }, ...at });
    }
    if (has('KF_TRUSTED_ARGS') && has('KF_RCU')) ctx.report({ messageId: 'trustedWithRcu', data: { kfunc: l.name }, ...at, severity: 'info' });
    if (has('KF_TRUSTED_ARGS') && has('KF_RELEASE') && versionAtLeast(v, 6, 4) === true) {
      ctx.report({ messageId: 'trustedWithRelease', data: { kfunc: l.name }, ...at, severity: 'info' });
    }
  }
});
