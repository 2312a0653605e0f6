import { definePatchRule, type PatchRuleContext } from '../../src/engine/rule-kit.js';
import { filePath } from '../../src/model/diff.js';

/**
 * Functions that return an error code, as far as the patch (or, in tree mode, the patched
 * files) shows: defined as returning int (`static int name(` or `static int` / `name(` on two
 * lines) with a `return -E...;` in their body.
 */
export function errorCodeFunctions(texts: string[][]): Map<string, string> {
  const out = new Map<string, string>();
  for (const lines of texts) {
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      let name: string | null = null;
      const one = /^(?:static\s+)?(?:inline\s+|__always_inline\s+|noinline\s+)*int\s+([A-Za-z_]\w*)\s*\(/.exec(l);
      if (one) name = one[1]!;
      else if (/^(?:static\s+)?(?:inline\s+|__always_inline\s+|noinline\s+)*int\s*$/.test(l)) {
        const two = /^([A-Za-z_]\w*)\s*\(/.exec(lines[i + 1] ?? '');
        if (two) name = two[1]!;
      }
      if (!name || l.trimEnd().endsWith(';')) continue;
      // the body: up to the first line that is exactly '}'
      let j = i + 1;
      for (; j < lines.length && j < i + 400; j++) {
        if (/;\s*$/.test(lines[j]!) && j <= i + 3 && !lines.slice(i, j + 1).some((x) => x.includes('{'))) break; // a prototype
        if (lines[j] === '}') break;
        const e = /\breturn\s+(-E[A-Z0-9]+)\b/.exec(lines[j]!);
        if (e) {
          const codes = new Set((out.get(name) ?? '').split(', ').filter(Boolean));
          if (codes.size < 3) codes.add(e[1]!);
          out.set(name, [...codes].join(', '));
        }
      }
    }
  }
  return out;
}

const KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'return', 'sizeof', 'do', 'else']);

function knownFunctions(ctx: PatchRuleContext): Map<string, string> {
  const texts: string[][] = [];
  for (const p of ctx.series.patches.slice(0, ctx.index + 1)) {
    for (const f of p.files) {
      for (const h of f.hunks) texts.push(h.lines.filter((l) => l.kind !== 'del').map((l) => l.text));
    }
  }
  if (ctx.tree) {
    for (const f of ctx.patch.files) {
      const after = ctx.tree.readAfter(filePath(f));
      if (after) texts.push(after.split('\n'));
    }
  }
  return errorCodeFunctions(texts);
}

export const rule = definePatchRule({
  id: 'ignored-error-code',
  description: 'An added line calls a function that the patch or tree shows returning an error code (int, return -E...) and drops the result.',
  severity: 'warning',
  needs: [],
  source: 'Documentation/process/coding-style.rst §16 (functions that return 0 or -Exxx report failure through that value); ref_convert_owning_non_owning() in [PATCH v2 bpf-next 02/13] calls ref_set_non_owning_lock(), which returns -EFAULT, and drops the result',
  messages: {
    ignored: '{{name}}() returns an error code ({{code}}), but its result is dropped here. Can it fail at this point? If it can, should the error be propagated; if it cannot, could that be said in a comment (or a verifier-internal-error WARN)?',
  },
}, (ctx) => {
  let known: Map<string, string> | null = null;
  for (const f of ctx.patch.files) {
    const path = filePath(f);
    // kernel and library code; test programs and samples drop results of their helpers on purpose
    if (!/\.[ch]$/.test(path) || /^(?:tools\/testing\/|samples\/)/.test(path)) continue;
    for (const h of f.hunks) {
      const lines = h.lines.filter((l) => l.kind !== 'del');
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i]!;
        if (l.kind !== 'add') continue;
        const m = /^\s+([A-Za-z_]\w*)\s*\(/.exec(l.text);
        if (!m || KEYWORDS.has(m[1]!)) continue;
        // a statement, not the continuation of an expression on the line above
        let k = i - 1;
        while (k >= 0 && lines[k]!.text.trim() === '') k--;
        const prev = k >= 0 ? lines[k]!.text.trim() : '{';
        if (!/(?:[;{}]|\)|\belse|:)$/.test(prev) || /^(?:#|\*|\/\*)/.test(prev)) continue;
        if (/\)$/.test(prev) && !/^(?:if|for|while|\}?\s*else if)\b/.test(prev)) continue;
        // `x ? a :` then `b(...)`: the second arm of a conditional, not a statement
        if (/:$/.test(prev) && !/^(?:case\b.*|default|[A-Za-z_]\w*)\s*:$/.test(prev)) continue;
        // the whole call must end the statement (`name(...);`, possibly over several lines)
        let stmt = l.text.trim();
        for (let n = i + 1; !/;\s*$/.test(stmt) && n < lines.length && n < i + 6; n++) stmt += ' ' + lines[n]!.text.trim();
        if (!/\)\s*;\s*$/.test(stmt)) continue;
        known ??= knownFunctions(ctx);
        const code = known.get(m[1]!);
        if (!code) continue;
        ctx.report({ messageId: 'ignored', data: { name: m[1]!, code }, file: path, line: l.newLine });
      }
    }
  }
});
