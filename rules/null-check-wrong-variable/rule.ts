import { definePatchRule } from '../../src/engine/rule-kit.js';
import { filePath, type DiffLine } from '../../src/model/diff.js';

/** `x = f(a, b);` (also `x = (type)f(...)`, `x->y = f(...)` is left out: only plain variables). */
const ASSIGN = /^\s*(?:[A-Za-z_][\w\s*]*?\s\**)?([A-Za-z_]\w*)\s*=\s*(?:\([^()]*\)\s*)?([A-Za-z_]\w*)\s*\((.*)\)\s*;\s*$/;
/** `if (!y)`, `if (y == NULL)`, `if (NULL == y)`, `if (IS_ERR(y))`, `if (IS_ERR_OR_NULL(y))`, `if (unlikely(!y))`. */
const CHECK = /^\s*if\s*\(\s*(?:(?:unlikely|likely)\s*\(\s*)?(?:!\s*([A-Za-z_]\w*)|([A-Za-z_]\w*)\s*==\s*NULL|NULL\s*==\s*([A-Za-z_]\w*)|(IS_ERR(?:_OR_NULL)?)\s*\(\s*([A-Za-z_]\w*)\s*\))\s*\)?\s*\)\s*(?:\{\s*)?$/;

/** Arithmetic helpers whose arguments are numbers: testing one of them afterwards is ordinary logic. */
const SCALAR_CALLS = /^(?:min|max|min_t|max_t|clamp|clamp_t|clamp_val|abs|ARRAY_SIZE|round_up|round_down|roundup|rounddown|ALIGN|DIV_ROUND_UP|BIT|BIT_ULL|GENMASK|fls|ffs|__ffs|hweight\d*|ilog2)$/;

/** The bare identifiers passed as whole arguments of a call's argument text. */
function bareArguments(args: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of args) {
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    if (ch === ')' || ch === ']' || ch === '}') depth--;
    if (ch === ',' && depth === 0) { out.push(cur.trim()); cur = ''; continue; }
    cur += ch;
  }
  out.push(cur.trim());
  return out.filter((a) => /^[A-Za-z_]\w*$/.test(a));
}

function isC(path: string): boolean {
  return /\.[ch]$/.test(path);
}

export const rule = definePatchRule({
  id: 'null-check-wrong-variable',
  description: 'A variable is assigned from a call and the very next check tests one of the call\'s arguments for NULL instead of the variable just assigned (x = f(y); if (!y)).',
  severity: 'error',
  needs: [],
  source: 'kernel test robot / smatch on [PATCH v2 bpf-next 02/13] (Dan Carpenter, 23 Dec 2022): "reg_find_field_offset() warn: variable dereferenced before check \'reg\'" after `rec = reg_btf_record(reg); if (!reg)`, "Is this supposed to test rec instead of reg?" (bpf-semantics.md §6.12)',
  messages: {
    wrongVariable: '{{assigned}} is assigned from {{call}}() on the line above, but the check tests {{tested}}, which was just passed to {{call}}() and so is already assumed valid. Is this supposed to test {{assigned}} instead of {{tested}}? As written, a NULL {{assigned}} is used unchecked (smatch: variable dereferenced before check \'{{tested}}\').',
  },
}, (ctx) => {
  for (const f of ctx.patch.files) {
    const path = filePath(f);
    if (!isC(path)) continue;
    for (const h of f.hunks) {
      const lines: DiffLine[] = h.lines.filter((l) => l.kind !== 'del');
      for (let i = 0; i + 1 < lines.length; i++) {
        const a = lines[i]!;
        const m = ASSIGN.exec(a.text);
        if (!m) continue;
        // the next non-blank line
        let j = i + 1;
        while (j < lines.length && lines[j]!.text.trim() === '') j++;
        const c = lines[j];
        if (!c) continue;
        if (a.kind !== 'add' && c.kind !== 'add') continue;
        const k = CHECK.exec(c.text);
        if (!k) continue;
        const assigned = m[1]!;
        const call = m[2]!;
        const tested = k[1] ?? k[2] ?? k[3] ?? k[5];
        if (!tested || tested === assigned) continue;
        if (['if', 'while', 'for', 'switch', 'return', 'sizeof'].includes(call) || SCALAR_CALLS.test(call)) continue;
        if (!bareArguments(m[3]!).includes(tested)) continue;
        ctx.report({ messageId: 'wrongVariable', data: { assigned, tested, call }, file: path, line: c.newLine });
      }
    }
  }
});
