import { definePatchRule } from '../../src/engine/rule-kit.js';
import { verifierCalls } from '../../src/engine/bpf-knowledge/verifier-calls.js';

export const rule = definePatchRule({
  id: 'verifier-internal-error-efault',
  description: 'An added "verifier internal error" / verifier_bug() path that returns an errno other than -EFAULT.',
  severity: 'warning',
  needs: [],
  source: 'the kernel/bpf/verifier.c convention of verbose(env, "verifier internal error: ...\\n"); return -EFAULT; (v6.2-v6.8), and of verifier_bug()/verifier_bug_if() paths returning -EFAULT (v6.17+, 1cb0f56d9618 "bpf: WARN_ONCE on verifier bugs") (bpf-semantics.md §3.3)',
  messages: {
    notEfault: 'This path reports a verifier bug ({{what}}) but returns {{ret}}. Verifier-internal errors return -EFAULT everywhere else in verifier.c, which is how a loader tells a verifier bug from a rejected program; should this return -EFAULT?',
  },
}, (ctx) => {
  for (const c of verifierCalls(ctx.patch)) {
    if (!c.added || c.returns === null) continue;
    const internal = c.fn !== 'verbose' || (c.format !== null && /^verifier (internal error|bug)/.test(c.format));
    if (!internal) continue;
    if (!/^-E[A-Z0-9]+$/.test(c.returns) || c.returns === '-EFAULT') continue;
    const what = c.fn === 'verbose' ? `"${(c.format ?? '').replace(/\\n$/, '')}"` : `${c.fn}()`;
    ctx.report({ messageId: 'notEfault', data: { what, ret: c.returns }, file: c.file, line: c.line });
  }
});
