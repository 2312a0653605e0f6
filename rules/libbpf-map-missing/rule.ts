import { defineSeriesRule } from '../../src/engine/rule-kit.js';
import { filePath } from '../../src/model/diff.js';

const MAP = 'tools/lib/bpf/libbpf.map';
const HEADER = /^tools\/lib\/bpf\/[\w.-]+\.h$/;

/** The function declared by a LIBBPF_API line (the declaration may continue on the next lines). */
export function declaredName(lines: string[], i: number): string | null {
  let text = lines[i]!;
  for (let k = i + 1; !text.includes('(') && k < lines.length && k < i + 3; k++) text += ' ' + lines[k]!;
  const m = /LIBBPF_API\b([^(;]*)\(/.exec(text);
  if (!m) return null;
  const ids = m[1]!.match(/[A-Za-z_]\w*/g);
  return ids ? ids[ids.length - 1]! : null;
}

export const rule = defineSeriesRule({
  id: 'libbpf-map-missing',
  description: 'A new LIBBPF_API function is declared in a tools/lib/bpf header and no patch of the series adds it to tools/lib/bpf/libbpf.map.',
  severity: 'warning',
  needs: [],
  source: 'tools/lib/bpf/libbpf.map (version script: only listed symbols are exported from libbpf.so); Documentation/bpf/libbpf/libbpf_naming_convention.rst, "ABI": new functions go into the current LIBBPF_x.y.z section',
  messages: {
    missing: '{{name}}() is declared LIBBPF_API, but no patch of this series adds it to tools/lib/bpf/libbpf.map, so libbpf.so will not export it. Should it go into the current LIBBPF_x.y.z section of libbpf.map?',
  },
}, (ctx) => {
  const { series } = ctx;
  if (series.partialReroll || series.missing.length > 0) return;
  const mapText: string[] = [];
  const removed = new Set<string>();
  for (const p of series.patches) {
    for (const f of p.files) {
      const path = filePath(f);
      for (const h of f.hunks) {
        const texts = h.lines.map((l) => l.text);
        h.lines.forEach((l, i) => {
          if (path === MAP) mapText.push(l.text);
          if (l.kind === 'del' && HEADER.test(path) && /LIBBPF_API\b/.test(l.text)) {
            const n = declaredName(texts, i);
            if (n) removed.add(n);
          }
        });
      }
    }
  }
  series.patches.forEach((p, pi) => {
    const after = ctx.trees[pi]?.readAfter(MAP) ?? null;
    for (const f of p.files) {
      const path = filePath(f);
      if (!HEADER.test(path)) continue;
      for (const h of f.hunks) {
        const news = h.lines.filter((l) => l.kind !== 'del');
        const texts = news.map((l) => l.text);
        news.forEach((l, i) => {
          if (l.kind !== 'add' || !/^\s*LIBBPF_API\b/.test(l.text)) return;
          const name = declaredName(texts, i);
          if (!name || removed.has(name)) return;
          const listed = (t: string) => new RegExp(`^\\s*${name}\\s*;`).test(t);
          if (mapText.some(listed)) return;
          if (after !== null && after.split('\n').some(listed)) return;
          ctx.report({ messageId: 'missing', data: { name }, patch: p.counter, file: path, line: l.newLine });
        });
      }
    }
  });
});
