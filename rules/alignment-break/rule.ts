import { definePatchRule } from '../../src/engine/rule-kit.js';
import { filePath, type FileDiff } from '../../src/model/diff.js';

export type BlockKind = 'define' | 'enum' | 'struct';

export interface AlignedLine {
  kind: BlockKind;
  /** Leading whitespace: lines of one block share it. */
  indent: string;
  name: string;
  /** Visual column (tabs to 8, 0-based) where the aligned part starts: the value, the '=', the member name. */
  column: number;
  /** Visual column just after the name (define, enum) or the type (struct). */
  before: number;
  /** The gap before the aligned part is deliberate padding (a tab, or two or more spaces). */
  padded: boolean;
}

/** Visual width of a prefix, tabs to multiples of 8. */
export function visualColumn(s: string): number {
  let col = 0;
  for (const ch of s) col = ch === '\t' ? (Math.floor(col / 8) + 1) * 8 : col + 1;
  return col;
}

const DEFINE = /^(#\s*define\s+([A-Za-z_]\w*))([ \t]+)(?=\S)/;
const ENUM = /^([ \t]+)([A-Za-z_]\w*)([ \t]*)=(?!=)\s*[^;]*,\s*(?:\/\*.*\*\/\s*)?$/;
const STRUCT = /^(\t+)((?:(?:const|unsigned|signed|struct|enum|union|volatile)\s+)*[A-Za-z_]\w*)([ \t]+)(\**[A-Za-z_]\w*)(?:\[[^\]]*\])?(?:\s*:\s*\w+)?\s*;\s*(?:\/\*.*\*\/\s*)?$/;

/** Reads one line as a member of an aligned block, or null. */
export function alignedLine(text: string): AlignedLine | null {
  let m = DEFINE.exec(text);
  if (m) {
    // function-like macros are not part of value-aligned groups
    if (text.charAt(m[1]!.length) === '(') return null;
    const gap = m[3]!;
    return { kind: 'define', indent: '', name: m[2]!, column: visualColumn(m[1]! + gap), before: visualColumn(m[1]!), padded: gap.includes('\t') || gap.length >= 2 };
  }
  m = ENUM.exec(text);
  if (m && !/^(?:return|case|else|if)$/.test(m[2]!)) {
    const head = m[1]! + m[2]!;
    const gap = m[3]!;
    return { kind: 'enum', indent: m[1]!, name: m[2]!, column: visualColumn(head + gap), before: visualColumn(head), padded: gap.includes('\t') || gap.length >= 2 };
  }
  m = STRUCT.exec(text);
  if (m && !/^(?:return|goto|break|continue|case|else|typedef)$/.test(m[2]!.split(/\s+/)[0]!)) {
    const head = m[1]! + m[2]!;
    const gap = m[3]!;
    return { kind: 'struct', indent: m[1]!, name: m[4]!.replace(/^\*+/, ''), column: visualColumn(head + gap), before: visualColumn(head), padded: gap.includes('\t') || gap.length >= 2 };
  }
  return null;
}

export interface BlockLine {
  text: string;
  added: boolean;
  newLine: number | null;
}

export interface AlignmentBreak {
  line: BlockLine;
  member: AlignedLine;
  /** The column the rest of the block agrees on. */
  column: number;
  /** The new name does not fit before that column. */
  tooLong: boolean;
  neighbours: number;
}

/** Added lines whose aligned column differs from a block of at least two consistent, deliberately aligned neighbours. */
export function alignmentBreaks(lines: BlockLine[]): AlignmentBreak[] {
  const out: AlignmentBreak[] = [];
  let i = 0;
  while (i < lines.length) {
    const first = alignedLine(lines[i]!.text);
    if (!first) { i++; continue; }
    const block: { line: BlockLine; member: AlignedLine }[] = [{ line: lines[i]!, member: first }];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const a = alignedLine(lines[j]!.text);
      if (!a || a.kind !== first.kind || a.indent !== first.indent) break;
      block.push({ line: lines[j]!, member: a });
    }
    i = j;
    if (block.length < 3) continue;
    for (const b of block) {
      if (!b.line.added) continue;
      const others = block.filter((o) => o !== b);
      const c = others[0]!.member.column;
      if (!others.every((o) => o.member.column === c)) continue;
      if (!others.some((o) => o.member.padded)) continue;
      // all neighbours unchanged context, or a mix: either way they agree and this one does not
      if (b.member.column === c) continue;
      out.push({ line: b.line, member: b.member, column: c, tooLong: b.member.before >= c, neighbours: others.length });
    }
  }
  return out;
}

const WHAT: Record<BlockKind, string> = { define: '#define group', enum: 'enum', struct: 'struct' };
const PART: Record<BlockKind, string> = { define: 'values', enum: '= signs', struct: 'member names' };

function blockLinesOf(f: FileDiff, after: string | null): BlockLine[][] {
  if (after !== null) {
    const added = new Set<number>();
    for (const h of f.hunks) for (const l of h.lines) if (l.kind === 'add' && l.newLine !== null) added.add(l.newLine);
    return [after.split('\n').map((text, n) => ({ text, added: added.has(n + 1), newLine: n + 1 }))];
  }
  return f.hunks.map((h) => h.lines.filter((l) => l.kind !== 'del').map((l) => ({ text: l.text, added: l.kind === 'add', newLine: l.newLine })));
}

export const rule = definePatchRule({
  id: 'alignment-break',
  description: 'An added line in an enum, #define group or struct does not line up with the values, = signs or member names of its neighbours in the same block.',
  severity: 'info',
  needs: [],
  source: 'David Vernet on the enum btf_field_type hunk of [PATCH v2 bpf-next 02/13] (28 Dec 2022): "Can you update the rest of the elements here to keep common indentation?" (bpf-semantics.md §6.3); Documentation/process/coding-style.rst',
  messages: {
    tooLong: 'This isn\'t a bug, but {{name}} is longer than the column the rest of this {{what}} is aligned to, so its {{part}} no longer line up (column {{mine}} here, column {{theirs}} for the other {{count}}). Can you update the rest of the elements here to keep common indentation?',
    misaligned: 'This isn\'t a bug, but {{name}} does not line up with the rest of this {{what}}: its {{part}} start at column {{mine}}, the other {{count}} at column {{theirs}}. Could it use the same alignment as its neighbours?',
  },
}, (ctx) => {
  for (const f of ctx.patch.files) {
    const path = filePath(f);
    if (!/\.[ch]$/.test(path) || f.status === 'deleted') continue;
    const after = ctx.tree ? ctx.tree.readAfter(path) : null;
    for (const lines of blockLinesOf(f, after)) {
      for (const b of alignmentBreaks(lines)) {
        const kind = b.member.kind;
        const data = { name: b.member.name, what: WHAT[kind], part: PART[kind], mine: b.member.column + 1, theirs: b.column + 1, count: b.neighbours };
        ctx.report({ messageId: b.tooLong ? 'tooLong' : 'misaligned', data, file: path, line: b.line.newLine });
      }
    }
  }
});
