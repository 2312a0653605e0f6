import { describe, expect, it } from 'vitest';
import { flagStatus, flagsAt, lowestFreeBit, versionAtLeast } from './kf-registry.js';

const V = (s: string) => ({ version: Number(s.split('.')[0]), patchlevel: Number(s.split('.')[1]), sublevel: 0, short: s });
const bits = (s: string) => flagsAt(V(s)).map((f) => f.bit);

describe('KF_* registry (bpf-semantics.md §1.1, §7.1)', () => {
  it('has the exact bit sets of the four reference trees', () => {
    expect(bits('6.2')).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(bits('6.3')).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(bits('6.8')).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(bits('7.1')).toEqual([0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  });
  it('knows removed, future, never-merged, doc-only and forked names', () => {
    expect(flagStatus('KF_KPTR_GET', V('6.2')).kind).toBe('defined');
    expect(flagStatus('KF_KPTR_GET', V('6.8')).kind).toBe('removed');
    expect(flagStatus('KF_TRUSTED_ARGS', V('7.1')).kind).toBe('removed');
    expect(flagStatus('KF_ITER_NEW', V('6.3')).kind).toBe('not-yet');
    expect(flagStatus('KF_RELEASE_NON_OWN', null).kind).toBe('never-merged');
    expect(flagStatus('KF_DEPRECATED', V('7.1')).kind).toBe('doc-only');
    expect(flagStatus('KF_SPIN_LOCK', V('7.1'))).toEqual({ kind: 'pending-fork', merged: 'KF_SPINLOCK_SAFE' });
    expect(flagStatus('KF_RU', V('6.8')).kind).toBe('unknown');
    expect(flagStatus('KF_KPTR_GET', null).kind).toBe('defined');
  });
  it('finds the lowest free bit (3 at v7.1, as Alexei predicted)', () => {
    expect(lowestFreeBit(bits('7.1'))).toBe(3);
    expect(lowestFreeBit(bits('6.2'))).toBe(8);
  });
  it('compares versions, null when unknown', () => {
    expect(versionAtLeast(V('6.9'), 6, 9)).toBe(true);
    expect(versionAtLeast(V('6.8'), 6, 9)).toBe(false);
    expect(versionAtLeast(null, 6, 9)).toBeNull();
  });
});
