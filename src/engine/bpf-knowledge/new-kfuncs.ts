/** kfuncs a series registers for the first time, with the patch and line that registers them. */
import type { Series } from '../../model/series.js';
import { changedFlagsLines } from './patch-scan.js';

export interface NewKfunc {
  name: string;
  flags: string[];
  /** patch counter */
  patch: number;
  index: number;
  file: string;
  line: number;
}

export function newKfuncs(series: Series): NewKfunc[] {
  const out: NewKfunc[] = [];
  series.patches.forEach((p, index) => {
    for (const l of changedFlagsLines(p)) {
      if (l.before !== null || out.some((k) => k.name === l.name)) continue;
      out.push({ name: l.name, flags: l.flags, patch: p.counter, index, file: l.file, line: l.line });
    }
  });
  return out;
}

/** Whether a model's reason text (or program name) is about kfunc `name`. */
export function mentions(text: string, name: string): boolean {
  return new RegExp(`\\b${name}\\b`).test(text);
}
