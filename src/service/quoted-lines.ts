import type { Finding, Series } from '../model/index.js';
import { filePath } from '../model/index.js';

/**
 * The patch lines a finding is about, as the dashboard shows them: up to `context` lines before
 * the finding's line and the line itself, with their diff markers ('+', '-', ' '). [] when the
 * finding is not tied to a line of the patch. Pure.
 */
export function quotedLines(series: Series, f: Finding, context = 3): string[] {
  if (f.file === null || f.line === null) return [];
  const patch = series.patches.find((p) => p.counter === f.patch);
  const file = patch?.files.find((d) => filePath(d) === f.file || d.oldPath === f.file);
  if (!file) return [];
  for (const h of file.hunks) {
    const at = h.lines.findIndex((l) => l.newLine === f.line && l.kind !== 'del');
    if (at < 0) continue;
    const mark = { add: '+', del: '-', ctx: ' ' } as const;
    return h.lines.slice(Math.max(0, at - context), at + 1).map((l) => `${mark[l.kind]}${l.text}`);
  }
  return [];
}
