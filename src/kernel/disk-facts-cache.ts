/**
 * A facts cache on disk (`review --cache DIR`): the facts of a base tree are extracted once and
 * reused by later runs against the same commit. Entries are named by commit, selftest selection
 * and the format version, so a new bpf-review never reads an old format.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TreeFacts } from '../model/kernel-facts.js';
import type { FactsCache } from './series-facts.js';

/** Bump when TreeFacts or its extraction changes in a way old entries would not show. */
export const FACTS_FORMAT = 1;

export function diskFactsCache(dir: string, memory: FactsCache): FactsCache {
  mkdirSync(dir, { recursive: true });
  const file = (key: string) => join(dir, `facts-v${FACTS_FORMAT}-${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`);
  return {
    get(key) {
      const hit = memory.get(key);
      if (hit) return hit;
      try {
        const facts = JSON.parse(readFileSync(file(key), 'utf8')) as TreeFacts;
        memory.set(key, facts);
        return facts;
      } catch {
        return undefined;
      }
    },
    set(key, facts) {
      memory.set(key, facts);
      const f = file(key);
      const tmp = `${f}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(facts));
      renameSync(tmp, f);
    },
  };
}
