import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
/** The project root (two levels above test/support). */
export const projectRoot = resolve(here, '..', '..');

/**
 * `../shared` beside the project: real list mail, the seed review, selftest expectations.
 * Tests read it in place (never copy it in) and skip cleanly when it is absent.
 */
export const sharedRoot: string | null = (() => {
  const candidates = [process.env.BPF_REVIEW_SHARED, resolve(projectRoot, '..', 'shared')].filter(Boolean) as string[];
  return candidates.find((c) => existsSync(join(c, 'README.md'))) ?? null;
})();

export function sharedPath(...parts: string[]): string {
  if (!sharedRoot) throw new Error('../shared is absent');
  return join(sharedRoot, ...parts);
}

/** describe() that is skipped (with its reason in the name) when ../shared is absent. */
export const describeShared: typeof describe = (sharedRoot ? describe : describe.skip) as typeof describe;
