import type { Series } from '../../model/index.js';

/**
 * Where a line of patch `counter`'s new side is at the head of the series (the pull request's
 * head commit): later commits that touch the file move it by their hunks, rename the file, or
 * change or delete the line itself (then null: there is no such line at the head to annotate).
 */
export function lineAtHead(series: Series, counter: number, file: string, line: number): { file: string; line: number } | null {
  let path = file;
  let at = line;
  for (const p of series.patches) {
    if (p.counter <= counter) continue;
    const fd = p.files.find((f) => f.oldPath === path);
    if (!fd) continue;
    if (fd.newPath === null) return null;
    let delta = 0;
    let moved: number | null = null;
    for (const h of fd.hunks) {
      if (h.oldLines === 0 ? at <= h.oldStart : at < h.oldStart) break;
      const end = h.oldStart + h.oldLines - 1;
      if (h.oldLines > 0 && at <= end) {
        const l = h.lines.find((x) => x.oldLine === at);
        if (!l || l.kind !== 'ctx' || l.newLine === null) return null;
        moved = l.newLine;
        break;
      }
      delta += h.newLines - h.oldLines;
    }
    at = moved ?? at + delta;
    path = fd.newPath;
  }
  return { file: path, line: at };
}
