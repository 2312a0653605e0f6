import { definePatchRule } from '../../src/engine/rule-kit.js';
import { flagsText } from '../../src/engine/bpf-knowledge/kfunc-view.js';
import { changedFlagsLines } from '../../src/engine/bpf-knowledge/patch-scan.js';

const ADDED: Record<string, string> = {
  KF_ACQUIRE: 'programs must now release what it returns',
  KF_RELEASE: 'its referenced argument is now consumed, so a program that keeps using it (or releases it itself) is rejected',
  KF_RET_NULL: 'programs must now NULL-check what it returns',
  KF_TRUSTED_ARGS: 'pointer arguments must now be trusted',
  KF_RCU: 'pointer arguments must now be trusted or RCU-protected',
  KF_SLEEPABLE: 'non-sleepable programs can no longer call it',
  KF_DESTRUCTIVE: 'callers now need CAP_SYS_BOOT',
  KF_RCU_PROTECTED: 'it may now only be called inside an RCU read-side section',
  KF_PERFMON: 'callers now need CAP_PERFMON',
};
const REMOVED: Record<string, string> = {
  KF_ACQUIRE: 'what it returns is no longer a reference, so programs that release it are rejected',
  KF_RELEASE: 'it no longer consumes its argument, so programs that relied on that leak the reference',
  KF_RET_NULL: 'the verifier stops asking for a NULL check of the result',
  KF_SLEEPABLE: 'it may now be called from non-sleepable context',
};

export const rule = definePatchRule({
  id: 'kfunc-flags-changed',
  description: 'The flags of an existing kfunc change: BPF programs that load today may be rejected (or checked differently) afterwards.',
  severity: 'warning',
  needs: [],
  source: 'Eduard Zingerman on "Make KF_TRUSTED_ARGS the default": "I don\'t think this is 100% backwards compatible change" and Alexei: "HID was missed ... sched-ext kfuncs need to be reviewed as well" (30 Dec 2025; bpf-semantics.md §6.6); kernel/bpf/verifier.c check_kfunc_call()/check_kfunc_args() act on the flags at every call',
  messages: {
    changed: 'This changes the flags of the existing kfunc {{kfunc}} from {{before}} to {{after}}: {{effect}}. BPF programs that load today may be rejected after this patch; is that intended, and could the commit message say which users (selftests, sched-ext, HID, out-of-tree programs) were checked?',
  },
}, (ctx) => {
  for (const l of changedFlagsLines(ctx.patch)) {
    if (!l.before) continue;
    const before = new Set(l.before);
    const after = new Set(l.flags);
    const added = l.flags.filter((f) => !before.has(f));
    const removed = l.before.filter((f) => !after.has(f));
    if (added.length === 0 && removed.length === 0) continue;
    const effects = [
      ...added.map((f) => ADDED[f] ?? `the verifier now applies ${f} to it`),
      ...removed.map((f) => REMOVED[f] ?? `the verifier no longer applies ${f} to it`),
    ];
    ctx.report({ messageId: 'changed', data: { kfunc: l.name, before: flagsText(l.before), after: flagsText(l.flags), effect: effects.join('; ') }, file: l.file, line: l.line });
  }
});
