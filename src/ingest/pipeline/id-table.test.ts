import { describe, expect, it } from 'vitest';
import { IdTable } from './id-table.js';
import { idHash } from './id-hash.js';

describe('IdTable', () => {
  it('keeps what a Map keeps across growth, including hash 0 and negative values', () => {
    const t = new IdTable();
    const m = new Map<number, number>();
    for (let i = 0; i < 20_000; i++) {
      const h = i === 0 ? 0 : idHash(`id-${i}@example.org`);
      const v = (i % 7) - 3;
      t.set(h, v);
      m.set(h, v);
    }
    t.set(idHash('id-5@example.org'), 42); // overwrite
    m.set(idHash('id-5@example.org'), 42);
    expect(t.size).toBe(m.size);
    for (const [h, v] of m) expect(t.get(h)).toBe(v);
    expect(t.get(idHash('absent@example.org'))).toBeUndefined();
    expect(t.has(0)).toBe(true);
    expect(t.has(idHash('absent@example.org'))).toBe(false);
  });
});
