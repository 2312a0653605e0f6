import { definePatchRule } from '../../src/engine/rule-kit.js';
import { SPINLOCK_SAFE_FLAGS } from '../../src/engine/bpf-knowledge/kf-registry.js';
import { addedFlagsLines } from '../../src/engine/bpf-knowledge/kfunc-view.js';

export const rule = definePatchRule({
  id: 'kfunc-flag-context-conflict',
  description: 'Flags whose calling contexts exclude each other, so the kfunc can never be called: KF_SLEEPABLE with KF_RCU_PROTECTED, or with a spin-lock-safe flag.',
  severity: 'error',
  needs: [],
  source: 'kernel/bpf/verifier.c check_kfunc_call(): "kernel func %s is sleepable within rcu_read_lock region" vs "kernel func %s requires RCU critical section protection" (v7.1.5), in_sleepable_context() checks active_locks; bot+bpf-ci review "Can this cause sleeping in atomic context ... while holding a BPF spinlock?" (6 Jan 2026) (bpf-semantics.md §3.2, §6.8, §7.1 F14/F15)',
  messages: {
    sleepableRcuProtected: '{{kfunc}} is KF_SLEEPABLE | KF_RCU_PROTECTED. A sleepable kfunc may not be called inside an RCU read-side section ("kernel func %s is sleepable within rcu_read_lock region"), and a KF_RCU_PROTECTED one may only be called inside one ("kernel func %s requires RCU critical section protection"), so no program can call it. Which one is intended?',
    sleepableSpinlock: '{{kfunc}} is KF_SLEEPABLE | {{flag}}. {{flag}} allows calls while a bpf_spin_lock is held, where sleeping is not allowed: could this sleep in atomic context? The verifier rejects sleepable calls under a lock anyway, so one of the flags is wrong.',
  },
}, (ctx) => {
  for (const l of addedFlagsLines(ctx)) {
    if (!l.flags.includes('KF_SLEEPABLE')) continue;
    const at = { file: l.file, line: l.line };
    if (l.flags.includes('KF_RCU_PROTECTED')) ctx.report({ messageId: 'sleepableRcuProtected', data: { kfunc: l.name }, ...at });
    const spin = l.flags.find((f) => (SPINLOCK_SAFE_FLAGS as readonly string[]).includes(f));
    if (spin) ctx.report({ messageId: 'sleepableSpinlock', data: { kfunc: l.name, flag: spin }, ...at });
  }
});
