import { definePatchRule } from '../../src/engine/rule-kit.js';
import { filePath, type DiffLine } from '../../src/model/diff.js';
import { alignedLine } from '../alignment-break/rule.js';

const squash = (s: string) => s.replace(/\s+/g, '');

interface Run {
  dels: DiffLine[];
  adds: DiffLine[];
}

/** Maximal runs of -/+ lines between context lines. */
function runsOf(lines: DiffLine[]): Run[] {
  const out: Run[] = [];
  let cur: Run | null = null;
  for (const l of lines) {
    if (l.kind === 'ctx') {
      // a blank context line does not end a run: re-indented blocks are often split by blank lines
      if (l.text.trim() === '') continue;
      if (cur) out.push(cur);
      cur = null;
      continue;
    }
    cur ??= { dels: [], adds: [] };
    (l.kind === 'del' ? cur.dels : cur.adds).push(l);
  }
  if (cur) out.push(cur);
  return out;
}

/** The -/+ pairs of a run that differ only in whitespace, and whether that is all the run does. */
function wsPairs(run: Run): { pairs: { del: DiffLine; add: DiffLine }[]; wholly: boolean } {
  const used = new Set<DiffLine>();
  const pairs: { del: DiffLine; add: DiffLine }[] = [];
  for (const d of run.dels) {
    if (d.text.trim() === '') continue;
    const a = run.adds.find((x) => !used.has(x) && x.text !== d.text && squash(x.text) === squash(d.text));
    if (a) { used.add(a); pairs.push({ del: d, add: a }); }
  }
  const paired = new Set<DiffLine>(pairs.flatMap((p) => [p.del, p.add]));
  const rest = [...run.dels, ...run.adds].filter((l) => !paired.has(l) && l.text.trim() !== '');
  return { pairs, wholly: pairs.length > 0 && rest.length === 0 };
}

export const rule = definePatchRule({
  id: 'whitespace-only-change',
  description: 'A patch that makes functional changes also changes only the whitespace of lines it otherwise does not need to touch (re-indentation, trailing blanks), which belongs in a separate patch.',
  severity: 'info',
  needs: [],
  source: 'Documentation/process/submitting-patches.rst "Separate your changes" (each logically independent change in its own patch; whitespace cleanups apart from functional ones); reviewers on the BPF list ask for cleanups to be split out',
  messages: {
    split: 'This isn\'t a bug, but {{count}} line(s) here in {{file}} only change whitespace, next to the functional change elsewhere in this patch. Could the whitespace changes be split out into their own patch (or dropped), so this one only shows what it changes?',
  },
}, (ctx) => {
  const files = ctx.patch.files;
  // Does the patch do anything other than whitespace?
  let functional = false;
  const runsByFile = new Map<string, { run: Run; pairs: { del: DiffLine; add: DiffLine }[]; wholly: boolean; hunkFunctional: boolean }[]>();
  for (const f of files) {
    const path = filePath(f);
    const list: { run: Run; pairs: { del: DiffLine; add: DiffLine }[]; wholly: boolean; hunkFunctional: boolean }[] = [];
    for (const h of f.hunks) {
      const runs = runsOf(h.lines).map((run) => ({ run, ...wsPairs(run), hunkFunctional: false }));
      const hunkFunctional = runs.some((r) => !r.wholly && [...r.run.dels, ...r.run.adds].some((l) => l.text.trim() !== ''));
      if (hunkFunctional) functional = true;
      for (const r of runs) list.push({ ...r, hunkFunctional });
    }
    if (f.status === 'added' || f.status === 'deleted' || f.status === 'renamed') functional = true;
    runsByFile.set(path, list);
  }
  if (!functional) return;
  for (const f of files) {
    const path = filePath(f);
    if (!/\.(?:[ch]|S|rs|py|sh|rst|txt|json|map)$|Makefile|Kconfig/.test(path)) continue;
    const list = runsByFile.get(path) ?? [];
    // alignment of #define/enum/struct blocks redone because the same file adds a member of such a block
    const addedKinds = new Set<string>();
    for (const r of list) {
      if (r.wholly) continue;
      for (const a of r.run.adds) { const k = alignedLine(a.text); if (k) addedKinds.add(k.kind); }
    }
    const lines: DiffLine[] = [];
    for (const r of list) {
      if (!r.wholly) continue;
      const realign = r.pairs.every((p) => { const k = alignedLine(p.add.text); return k !== null && addedKinds.has(k.kind); });
      if (realign) continue;
      // re-indentation (leading whitespace only) next to a functional change in the same hunk:
      // the code moved into or out of a block the patch opens or closes
      const kept = r.pairs.filter((p) => !(r.hunkFunctional && p.del.text.trimStart() === p.add.text.trimStart()));
      lines.push(...kept.map((p) => p.add));
    }
    if (lines.length === 0) continue;
    ctx.report({ messageId: 'split', data: { count: lines.length, file: path }, file: path, line: lines[0]!.newLine });
  }
});
