import { definePatchRule } from '../../src/engine/rule-kit.js';
import { filePath, type DiffLine } from '../../src/model/diff.js';

/** `if (!x)` / `if (x == NULL)` / `if (NULL == x)` */
const IF_NULL = /^\s*if\s*\(\s*(?:!\s*([A-Za-z_]\w*)|([A-Za-z_]\w*)\s*==\s*NULL|NULL\s*==\s*([A-Za-z_]\w*))\s*\)\s*$/;
const RETURN_NULL = /^\s*return\s+NULL\s*;\s*$/;
const RETURN_VAR = /^\s*return\s+([A-Za-z_]\w*)\s*;\s*$/;

export const rule = definePatchRule({
  id: 'redundant-null-return',
  description: 'Added code tests a pointer for NULL only to return NULL, then returns the pointer: `if (!x) return NULL; return x;` is `return x;`.',
  severity: 'info',
  needs: [],
  source: 'reg_find_field_offset() in [PATCH v2 bpf-next 02/13] bpf: Migrate release_on_unlock logic to non-owning ref semantics (Dave Marchevsky, 17 Dec 2022): `field = btf_record_find(rec, off, fields); if (!field) return NULL; return field;` (kept in the merged v5 1/9, shared/seed/thread/c-*): a style point, hence info',
  messages: {
    redundant: 'This isn\'t a bug, but `if (!{{name}}) return NULL;` followed by `return {{name}};` returns the same value either way. Could this be just `return {{name}};` (or return the call\'s result directly)?',
  },
}, (ctx) => {
  for (const f of ctx.patch.files) {
    const path = filePath(f);
    if (!/\.[ch]$/.test(path)) continue;
    for (const h of f.hunks) {
      const lines: DiffLine[] = h.lines.filter((l) => l.kind !== 'del');
      for (let i = 0; i + 2 < lines.length; i++) {
        const a = lines[i]!;
        const m = IF_NULL.exec(a.text);
        if (!m) continue;
        const name = m[1] ?? m[2] ?? m[3]!;
        const r = lines[i + 1]!;
        if (!RETURN_NULL.test(r.text)) continue;
        let j = i + 2;
        while (j < lines.length && lines[j]!.text.trim() === '') j++;
        const ret = lines[j];
        if (!ret) continue;
        const rv = RETURN_VAR.exec(ret.text);
        if (!rv || rv[1] !== name) continue;
        // the return must close the same block: its indentation is the if's
        const indent = (s: string) => /^\s*/.exec(s)![0];
        if (indent(ret.text) !== indent(a.text)) continue;
        if (a.kind !== 'add' && r.kind !== 'add' && ret.kind !== 'add') continue;
        ctx.report({ messageId: 'redundant', data: { name }, file: path, line: a.newLine });
      }
    }
  }
});
