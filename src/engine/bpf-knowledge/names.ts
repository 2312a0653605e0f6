/** Levenshtein distance, for "did you mean" suggestions on flag names. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] as number;
      prev[j] = Math.min(up + 1, (prev[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length] as number;
}

/** The closest name within distance 2 (ties: the first in `pool`), or null. */
export function closestName(name: string, pool: Iterable<string>): string | null {
  let best: string | null = null;
  let bestD = 3;
  for (const p of pool) {
    const d = editDistance(name, p);
    if (d < bestD) {
      best = p;
      bestD = d;
    }
  }
  return best;
}
