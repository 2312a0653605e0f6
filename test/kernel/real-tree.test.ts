/**
 * On real kernel trees (your own machine): every `BTF_ID_FLAGS(func, ...)` line of the tree
 * that is code (not a comment, a .rst example or a #define body) is a row of the table, and the
 * KF_* bits match the version table of docs/bpf-semantics.md §1.1.
 *
 *   BPF_REVIEW_KERNEL_TREES=/path/linux-6.2.1:/path/linux-6.3.8 npx vitest run test/kernel/real-tree.test.ts
 *
 * Each path is a kernel git checkout or bare repository; nothing in it is modified.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadCParser } from '../../src/kernel/c-parser.js';
import { extractFacts } from '../../src/kernel/extract-facts.js';
import { openKernelTree, readTreeFiles } from '../../src/kernel/kernel-tree.js';

const trees = (process.env.BPF_REVIEW_KERNEL_TREES ?? '').split(':').filter(Boolean);

/** bpf-semantics.md §1.1, by major.minor. */
const KF_BITS: Record<string, Record<string, number>> = {
  '6.2': { KF_ACQUIRE: 0, KF_RELEASE: 1, KF_RET_NULL: 2, KF_KPTR_GET: 3, KF_TRUSTED_ARGS: 4, KF_SLEEPABLE: 5, KF_DESTRUCTIVE: 6, KF_RCU: 7 },
  '6.3': { KF_ACQUIRE: 0, KF_RELEASE: 1, KF_RET_NULL: 2, KF_KPTR_GET: 3, KF_TRUSTED_ARGS: 4, KF_SLEEPABLE: 5, KF_DESTRUCTIVE: 6, KF_RCU: 7 },
  '6.8': {
    KF_ACQUIRE: 0, KF_RELEASE: 1, KF_RET_NULL: 2, KF_TRUSTED_ARGS: 4, KF_SLEEPABLE: 5, KF_DESTRUCTIVE: 6, KF_RCU: 7,
    KF_ITER_NEW: 8, KF_ITER_NEXT: 9, KF_ITER_DESTROY: 10, KF_RCU_PROTECTED: 11,
  },
  '7.1': {
    KF_ACQUIRE: 0, KF_RELEASE: 1, KF_RET_NULL: 2, KF_SLEEPABLE: 5, KF_DESTRUCTIVE: 6, KF_RCU: 7, KF_ITER_NEW: 8, KF_ITER_NEXT: 9,
    KF_ITER_DESTROY: 10, KF_RCU_PROTECTED: 11, KF_FASTCALL: 12, KF_ARENA_RET: 13, KF_ARENA_ARG1: 14, KF_ARENA_ARG2: 15, KF_IMPLICIT_ARGS: 16,
  },
};

(trees.length > 0 ? describe : describe.skip)('real kernel trees', () => {
  for (const dir of trees) {
    it(`${dir}: every BTF_ID_FLAGS(func, ...) code line is in the table; KF_* bits as documented`, async () => {
      const parser = await loadCParser();
      const tree = await openKernelTree(dir);
      try {
        const facts = extractFacts(await readTreeFiles(tree, tree.head), parser, { skipSelftests: true });
        const out = execFileSync('git', ['grep', '-n', 'BTF_ID_FLAGS(func', tree.head, '--', '*.c'], { cwd: tree.gitDir, encoding: 'utf8', maxBuffer: 1e8, stdio: ['ignore', 'pipe', 'ignore'] });
        const rows = new Set(facts.kfuncs.map((k) => `${k.file}:${k.line}`));
        const notInTable = out.split('\n').filter(Boolean).map((l) => l.split(':')).filter(([, file, line, ...text]) => {
          const code = text.join(':').trim();
          // X-macro bodies (#define M(name) BTF_ID_FLAGS(func, name)) are not rows themselves
          return !code.startsWith('#') && !code.startsWith('*') && !code.startsWith('//') && !rows.has(`${file}:${line}`);
        });
        expect(notInTable).toEqual([]);
        expect(facts.kfuncs.every((k) => k.progTypes.length > 0)).toBe(true);
        const expected = KF_BITS[facts.version?.short ?? ''];
        if (expected) expect(Object.fromEntries(facts.flags.map((f) => [f.name, f.bit]))).toEqual(expected);
        const regsafe = facts.verifierFunctions.find((f) => f.name === 'regsafe');
        expect(regsafe?.idsChecked).toContain('id');
      } finally {
        await tree.close();
      }
    }, 120_000);
  }
});
