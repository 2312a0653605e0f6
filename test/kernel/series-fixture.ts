/** Test helpers: the shipped example series cut into per-patch diff texts (no ingest dependency). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../support/shared-data.js';

export const EXAMPLE_TREE = join(projectRoot, 'examples', 'tree');
export const EXAMPLE_SERIES = join(projectRoot, 'examples', 'series', 'kf-release-non-own.mbox');
export const CLEAN_FIX = join(projectRoot, 'examples', 'series', 'clean-fix.mbox');

export interface MboxPatch {
  counter: number;
  subject: string;
  diffText: string;
  baseCommit: string | null;
}

/** Split a git format-patch mbox; the cover letter (no diff) is dropped. */
export function readMboxPatches(path: string): { patches: MboxPatch[]; baseCommit: string | null } {
  const text = readFileSync(path, 'utf8');
  const msgs = text.split(/^(?=From [0-9a-f]{40} )/m).filter((m) => m.trim() !== '');
  let baseCommit: string | null = null;
  const patches: MboxPatch[] = [];
  for (const m of msgs) {
    const subject = /^Subject: (.*(?:\n .*)*)/m.exec(m)?.[1]?.replace(/\n /g, ' ') ?? '';
    const base = /^base-commit: ([0-9a-f]+)/m.exec(m)?.[1] ?? null;
    baseCommit ??= base;
    const start = m.indexOf('\ndiff --git ');
    if (start < 0) continue;
    const end = m.lastIndexOf('\n-- \n');
    let diffText = m.slice(start + 1, end < 0 ? undefined : end + 1);
    diffText = diffText.replace(/\nbase-commit: [0-9a-f]+\n*$/, '\n');
    const counter = Number(/\[PATCH[^\]]*?(\d+)\/\d+\]/.exec(subject)?.[1] ?? '1');
    patches.push({ counter, subject, diffText, baseCommit: base });
  }
  return { patches, baseCommit };
}
