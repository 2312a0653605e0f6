import { definePatchRule } from '../../src/engine/rule-kit.js';
import { filePath, type DiffLine } from '../../src/model/diff.js';

/** Calls whose format string a user reads (kernel log, verifier log, libbpf warnings). */
const LOG_CALL = /\b(printk|pr_(?:emerg|alert|crit|err|warn|warning|notice|info|debug|devel|cont|err_once|warn_once|info_once|err_ratelimited|warn_ratelimited)|dev_(?:emerg|alert|crit|err|warn|notice|info|dbg|err_probe|err_ratelimited|warn_ratelimited|warn_once)|netdev_(?:emerg|alert|crit|err|warn|notice|info|dbg)|verbose|verbose_linfo|bpf_log|bpf_verifier_log_write|btf_verifier_log(?:_type|_member|_vsi)?|verifier_bug(?:_if)?|WARN(?:_ONCE)?|WARN_RATELIMIT|NL_SET_ERR_MSG(?:_MOD)?|panic)\s*\(/;

/**
 * checkpatch.pl SPLIT_STRING: a line that starts with a string literal continuing a string
 * that ended the previous line, unless the previous piece ends in an escape (\n, \t, ...) or
 * looks like the end of a statement. Here only inside calls that print to the user.
 */
const PREV_ENDS_STRING = /"\s*$/;
const PREV_ENDS_ESCAPE = /(?:\\(?:[ntr]|[0-7]{1,3}|x[0-9a-fA-F]{1,2})|;\s*|\{\s*)"\s*$/;
const STARTS_STRING = /^\s*"/;

export const rule = definePatchRule({
  id: 'split-user-string',
  description: 'An added log or verifier message (printk, pr_*, dev_*, verbose(), ...) has its format string split across lines, so it cannot be grepped for.',
  severity: 'info',
  needs: [],
  source: 'Documentation/process/coding-style.rst §2 ("never break user-visible strings such as printk messages because that breaks the ability to grep for them"); scripts/checkpatch.pl SPLIT_STRING; verbose() in kernel/bpf/verifier.c writes the verifier log users read',
  messages: {
    split: 'This isn\'t a bug, but the {{call}}() message is split across lines ("...{{tail}}" "{{head}}..."), so nobody can grep the source for the text they see in the log. Could it stay on one line even if that goes over 80 columns (coding-style.rst §2)?',
  },
}, (ctx) => {
  for (const f of ctx.patch.files) {
    const path = filePath(f);
    if (!/\.[ch]$/.test(path)) continue;
    for (const h of f.hunks) {
      const lines: DiffLine[] = h.lines.filter((l) => l.kind !== 'del');
      for (let i = 1; i < lines.length; i++) {
        const cur = lines[i]!;
        const prev = lines[i - 1]!;
        if (cur.kind !== 'add') continue;
        if (!STARTS_STRING.test(cur.text) || !PREV_ENDS_STRING.test(prev.text) || PREV_ENDS_ESCAPE.test(prev.text)) continue;
        // the call that opens this argument list: on the previous line or a few above
        let call: string | null = null;
        for (let k = i - 1; k >= 0 && k >= i - 4; k--) {
          const m = LOG_CALL.exec(lines[k]!.text);
          if (m) { call = m[1]!; break; }
          if (/;\s*$/.test(lines[k]!.text) && k < i - 1) break;
        }
        if (!call) continue;
        const tail = /"([^"]*)"\s*$/.exec(prev.text)?.[1] ?? '';
        const head = /^\s*"([^"]*)"?/.exec(cur.text)?.[1] ?? '';
        ctx.report({ messageId: 'split', data: { call, tail: tail.slice(-24), head: head.slice(0, 24) }, file: path, line: cur.newLine });
      }
    }
  }
});
