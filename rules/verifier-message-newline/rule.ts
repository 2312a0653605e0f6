import { definePatchRule } from '../../src/engine/rule-kit.js';
import { verifierCalls } from '../../src/engine/bpf-knowledge/verifier-calls.js';

export const rule = definePatchRule({
  id: 'verifier-message-newline',
  description: 'On added lines: a verbose() message that ends a check (the next statement is a return) without "\\n", or a verifier_bug()/verifier_bug_if() format that ends with "\\n" (the macro adds one).',
  severity: 'info',
  needs: [],
  source: 'include/linux/bpf_verifier.h verifier_bug()/verifier_bug_if() print "verifier bug: " fmt "\\n" (v6.17+, c93c59baa5ab "bpf: Tidy verifier bug message"); kernel/bpf/log.c verbose() prints the format as is, so the next message would run on (bpf-semantics.md §3.3, §6.9, §6.10)',
  messages: {
    missingNewline: 'This isn\'t a bug, but the message "{{format}}" ends this check without "\\n", so whatever the verifier logs next runs on in the same line of the log (and selftests that match on the message see it joined). Missing \\n?',
    extraNewline: 'This isn\'t a bug, but {{fn}}() already appends "\\n" to its format ("verifier bug: " fmt "\\n" in include/linux/bpf_verifier.h), so "{{format}}" ends up with an empty line after it. Could the trailing \\n go?',
  },
}, (ctx) => {
  for (const c of verifierCalls(ctx.patch)) {
    if (!c.added || c.format === null) continue;
    const endsNl = c.format.endsWith('\\n');
    // a format ending in %s may get its newline from the argument (verbose(env, "%s", buf))
    if (c.fn === 'verbose' && !endsNl && c.returns !== null && !/%s$/.test(c.format)) ctx.report({ messageId: 'missingNewline', data: { format: c.format }, file: c.file, line: c.line });
    if (c.fn !== 'verbose' && endsNl) ctx.report({ messageId: 'extraNewline', data: { fn: c.fn, format: c.format.replace(/\\n$/, '\\n') }, file: c.file, line: c.line });
  }
});
