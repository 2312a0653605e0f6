/** Edits of a file's text, written here and applied to whatever the tree has. */

export type Edit = (old: string | null) => string;

/** Insert `block` (whole lines) after the last line matching `re`; at the end when nothing matches. */
export function afterLast(re: RegExp, block: string): Edit {
  return (old) => {
    if (old === null) return block;
    const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
    let end = -1;
    for (const m of old.matchAll(g)) end = old.indexOf('\n', m.index) + 1;
    if (end <= 0) return `${old}${old.endsWith('\n') ? '' : '\n'}${block}`;
    return old.slice(0, end) + block + old.slice(end);
  };
}

/** Insert `block` before the first line matching `re` at or after the first match of `after`; at the end when nothing matches. */
export function before(re: RegExp, block: string, after?: RegExp): Edit {
  return (old) => {
    if (old === null) return block;
    const from = after ? (after.exec(old)?.index ?? 0) : 0;
    const m = new RegExp(re.source, re.flags.replace('g', '')).exec(old.slice(from));
    if (!m) return `${old}${old.endsWith('\n') ? '' : '\n'}${block}`;
    const at = old.lastIndexOf('\n', from + m.index - 1) + 1;
    return old.slice(0, at) + block + old.slice(at);
  };
}

export function append(block: string): Edit {
  return (old) => (old === null ? block : `${old}${old.endsWith('\n') ? '' : '\n'}${block}`);
}

export function chain(...edits: Edit[]): Edit {
  return (old) => edits.reduce<string | null>((t, e) => e(t), old) as string;
}
