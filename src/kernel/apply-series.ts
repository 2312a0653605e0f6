/** Applying a series patch by patch: the fast small-index way first, else on a full index (which words a failure). */
import { PatchDoesNotApplyError } from '../model/errors.js';
import { gitOk, runGit } from './run-git.js';
import { hasCommit, resolveCommit, type KernelTree } from './open-kernel-tree.js';
import { applyOnSmallIndex } from './apply-on-small-index.js';

export interface SeriesPatch {
  counter: number;
  diffText: string;
  /** Subject, used as the commit message of the temporary commit. */
  subject?: string;
}

export interface PatchApplyResult {
  counter: number;
  /** The tree state after this patch (a commit in the temp object store), null when not applied. */
  commit: string | null;
  error: PatchDoesNotApplyError | null;
  /** True when an earlier patch failed and this one was not tried. */
  skipped: boolean;
  /** The paths this patch changed (sorted; `deleted` when it removed the file), when known without asking git. */
  changed?: { path: string; deleted: boolean }[];
}

export interface AppliedSeries {
  /** The commit the series was applied on. */
  base: string;
  baseSource: 'base-commit' | 'head';
  /** Human sentence: which base was used and why. */
  baseNote: string;
  mode: 'tree' | 'diff-only';
  /** Why the series fell back to diff-only mode. */
  reason: string | null;
  patches: PatchApplyResult[];
  /** The commit after the last patch when all applied, else null. */
  final: string | null;
}

/** Which file and hunk git complained about, from `git apply` output and the diff. */
export function locateApplyFailure(stderr: string, diffText: string): { file: string | null; hunk: string | null } {
  const m = /patch failed: (.+?):(\d+)/.exec(stderr);
  const missing = /error: (.+?): (does not exist in index|No such file or directory|already exists in index)/.exec(stderr);
  const file = m ? (m[1] as string) : missing ? (missing[1] as string) : (/error: (.+?): patch does not apply/.exec(stderr)?.[1] ?? null);
  if (!file) return { file: null, hunk: null };
  let hunk: string | null = null;
  if (m) {
    const line = Number(m[2]);
    // the hunk of that file whose old start is the reported line
    const parts = diffText.split(/^(?=diff --git )/m);
    const part = parts.find((p) => p.startsWith('diff --git') && (p.includes(` b/${file}\n`) || p.includes(`+++ b/${file}\n`) || p.includes(`--- a/${file}\n`)));
    for (const h of part?.matchAll(/^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@.*$/gm) ?? []) {
      if (Number(h[1]) === line) {
        hunk = h[0];
        break;
      }
    }
    hunk ??= `@@ -${line}`;
  }
  return { file, hunk };
}

/**
 * Apply a series patch by patch on `baseCommit` (when that commit is in the repository) or on
 * HEAD. Each applied patch becomes a commit in the temp object store (bisect view). After the
 * first failure the rest are skipped and the mode is 'diff-only'.
 */
export async function applySeries(tree: KernelTree, patches: SeriesPatch[], baseCommit?: string | null): Promise<AppliedSeries> {
  let base: string;
  let baseSource: AppliedSeries['baseSource'];
  let baseNote: string;
  if (baseCommit && (await hasCommit(tree, baseCommit))) {
    base = await resolveCommit(tree, baseCommit);
    baseSource = 'base-commit';
    baseNote = `applied on base-commit ${baseCommit}`;
  } else {
    base = tree.head;
    baseSource = 'head';
    baseNote = baseCommit
      ? `base-commit ${baseCommit} is not in the repository; applied on HEAD ${tree.head.slice(0, 12)}`
      : `no base-commit given; applied on HEAD ${tree.head.slice(0, 12)}`;
  }
  const fast = await applyOnSmallIndex(tree, patches, base).catch(() => null);
  if (fast) {
    return { base, baseSource, baseNote, mode: 'tree', reason: null, patches: fast, final: fast.length ? (fast[fast.length - 1]?.commit ?? null) : base };
  }
  await gitOk(tree, ['read-tree', base]);
  const results: PatchApplyResult[] = [];
  let prev = base;
  let failure: PatchApplyResult | null = null;
  for (const p of patches) {
    if (failure) {
      results.push({ counter: p.counter, commit: null, error: null, skipped: true });
      continue;
    }
    const text = p.diffText.endsWith('\n') ? p.diffText : `${p.diffText}\n`;
    const r = await runGit(['apply', '--cached', '--whitespace=nowarn', '-'], { cwd: tree.gitDir, env: tree.env, input: text });
    if (r.code !== 0) {
      const where = locateApplyFailure(r.stderr, text);
      const msg = `patch ${p.counter} does not apply${where.file ? ` (${where.file}${where.hunk ? `, ${where.hunk}` : ''})` : ''}: ${r.stderr.trim().split('\n')[0] ?? ''}`;
      const error = new PatchDoesNotApplyError(msg, `patch ${p.counter}`, where.file, where.hunk, r.stderr.trim());
      failure = { counter: p.counter, commit: null, error, skipped: false };
      results.push(failure);
      continue;
    }
    const treeSha = (await gitOk(tree, ['write-tree'])).trim();
    const commit = (await gitOk(tree, ['commit-tree', treeSha, '-p', prev, '-m', p.subject ?? `patch ${p.counter}`])).trim();
    results.push({ counter: p.counter, commit, error: null, skipped: false });
    prev = commit;
  }
  const failed = failure?.error ?? null;
  return {
    base, baseSource, baseNote,
    mode: failed ? 'diff-only' : 'tree',
    reason: failed ? failed.message : null,
    patches: results,
    final: failed ? null : prev,
  };
}

