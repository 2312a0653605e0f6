/** State identity (for de-duplicating paths), merging of scalar variants, local array values. */
import type { CType } from './ctypes.js';
import { UNKNOWN, cloneState, type State, type Val } from './values.js';

export function mkArray(t: CType, fill: Val): Val {
  if (t.k !== 'array') return fill;
  return { t: 'array', elems: Array.from({ length: t.n }, () => mkArray(t.of, fill)) };
}
export function setPath(v: Val, idxs: number[], nv: Val, oob: () => never): Val {
  if (idxs.length === 0) return nv;
  if (v.t !== 'array') return oob();
  const [i, ...rest] = idxs as [number, ...number[]];
  if (i < 0 || i >= v.elems.length) return oob();
  const elems = v.elems.slice();
  elems[i] = setPath(v.elems[i]!, rest, nv, oob);
  return { t: 'array', elems };
}

const keyCache = new WeakMap<State, string>();

export function stateKey(s: State, eraseScalars = false): string {
  if (!eraseScalars) {
    const c = keyCache.get(s);
    if (c !== undefined) return c;
    const k = computeStateKey(s, false);
    keyCache.set(s, k);
    return k;
  }
  return computeStateKey(s, true);
}

function computeStateKey(s: State, eraseScalars: boolean): string {
  const show = (v: Val): string => {
    switch (v.t) {
      case 'scalar':
        return eraseScalars ? 's' : v.v === null ? `s${v.regType ?? ''}${v.typeRef ?? ''}${v.varOff ? 'v' : ''}` : `s${v.v}`;
      case 'ptr':
        return `p${v.kind}${v.obj}:${v.map ?? ''}:${v.off}${v.varOff ? 'v' : ''}:${v.id}:${v.refId}${v.maybeNull ? '?' : ''}${v.nonOwn ? 'n' : ''}${v.untrusted ? 'u' : ''}`;
      case 'array':
        return `[${v.elems.map(show).join(',')}]`;
      case 'func':
        return `f${v.name}`;
      case 'map':
        return `m${v.name}`;
    }
  };
  const parts: string[] = [];
  for (const f of s.frames) {
    const vs: string[] = [];
    for (const [k, b] of f) vs.push(`${k}=${show(b.val)}`);
    parts.push(vs.join(';'));
  }
  return `${parts.join('|')}#${s.refs.map((r) => `${r.id}${r.releaseOnUnlock ? 'u' : ''}`).join(',')}#${s.lock?.key ?? ''}#${s.rcu}#${s.cb}`;
}

/** Group states equal up to scalar values; keep one per group with the differing scalars unknown. */
export function mergeScalarVariants(states: State[]): State[] {
  const groups = new Map<string, State[]>();
  for (const s of states) {
    const k = stateKey(s, true);
    const g = groups.get(k);
    if (g) g.push(s);
    else groups.set(k, [s]);
  }
  const out: State[] = [];
  for (const g of groups.values()) {
    if (g.length === 1) {
      out.push(g[0]!);
      continue;
    }
    const base = cloneState(g[0]!);
    base.frames.forEach((f, fi) => {
      for (const [name, b] of f) {
        if (b.val.t !== 'scalar') continue;
        const same = g.every((o) => {
          const ov = o.frames[fi]?.get(name)?.val;
          return ov?.t === 'scalar' && ov.v === (b.val as { v: number | null }).v;
        });
        if (!same) f.set(name, { ct: b.ct, val: UNKNOWN });
      }
    });
    out.push(base);
  }
  return out;
}

export function dedupe<T>(xs: T[], key: (x: T) => string): T[] {
  if (xs.length < 2) return xs;
  const seen = new Set<string>();
  const out: T[] = [];
  for (const x of xs) {
    const k = key(x);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(x);
  }
  return out;
}

