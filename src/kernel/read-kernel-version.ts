import type { KernelVersion } from '../model/kernel-facts.js';

/** VERSION / PATCHLEVEL / SUBLEVEL from the top-level Makefile; null when they are missing. */
export function readKernelVersion(makefileText: string): KernelVersion | null {
  const get = (key: string): number | null => {
    const m = new RegExp(`^${key}\\s*=\\s*(\\d+)\\s*$`, 'm').exec(makefileText);
    return m ? Number(m[1]) : null;
  };
  const version = get('VERSION');
  const patchlevel = get('PATCHLEVEL');
  if (version === null || patchlevel === null) return null;
  const sublevel = get('SUBLEVEL') ?? 0;
  return { version, patchlevel, sublevel, short: `${version}.${patchlevel}` };
}
