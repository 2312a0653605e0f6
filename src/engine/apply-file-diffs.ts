import type { FileDiff, Hunk } from '../model/diff.js';
import { PatchDoesNotApplyError } from '../model/errors.js';

/**
 * Applies parsed file diffs to an in-memory tree (path -> content). Pure; used where no git
 * repository is at hand (rule tests, diff-only previews). Git remains the authority for real trees.
 */
export function applyFileDiffs(files: ReadonlyMap<string, string>, diffs: FileDiff[], source?: string): Map<string, string> {
  const out = new Map(files);
  for (const d of diffs) {
    if (d.binary) continue;
    if (d.status === 'deleted') {
      out.delete(d.oldPath as string);
      continue;
    }
    const target = d.newPath as string;
    const base = d.status === 'added' ? '' : out.get(d.oldPath as string);
    if (base === undefined) throw new PatchDoesNotApplyError(`${d.oldPath}: does not exist in the tree`, source, d.oldPath, null, `error: ${d.oldPath}: does not exist in index`);
    if (d.status === 'renamed') out.delete(d.oldPath as string);
    out.set(target, applyHunks(base, d.hunks, target, source));
  }
  return out;
}

function applyHunks(content: string, hunks: Hunk[], path: string, source?: string): string {
  const endsWithNewline = content === '' || content.endsWith('\n');
  const lines = content === '' ? [] : content.replace(/\n$/, '').split('\n');
  let offset = 0;
  for (const h of hunks) {
    const oldBlock = h.lines.filter((l) => l.kind !== 'add').map((l) => l.text);
    const newBlock = h.lines.filter((l) => l.kind !== 'del').map((l) => l.text);
    const want = Math.max(0, h.oldStart - 1 + offset);
    const at = findBlock(lines, oldBlock, want);
    if (at < 0) {
      throw new PatchDoesNotApplyError(`${path}: hunk ${h.header} does not apply`, source, path, h.header, `error: patch failed: ${path}:${h.oldStart}`);
    }
    lines.splice(at, oldBlock.length, ...newBlock);
    offset += newBlock.length - oldBlock.length + (at - want);
  }
  const text = lines.join('\n');
  return lines.length === 0 ? '' : endsWithNewline ? text + '\n' : text;
}

function findBlock(lines: string[], block: string[], near: number): number {
  const matchesAt = (i: number) => i >= 0 && i + block.length <= lines.length && block.every((b, k) => lines[i + k] === b);
  if (block.length === 0) return Math.min(near, lines.length);
  // the header's line may lie far beyond a short file (hunks numbered for a bigger tree): search it all
  for (let d = 0; d <= Math.max(near, lines.length); d++) {
    if (matchesAt(near - d)) return near - d;
    if (matchesAt(near + d)) return near + d;
  }
  return -1;
}
