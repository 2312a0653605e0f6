/**
 * Registers this layer's facts extractors with the engine (src/engine/tree-facts-adapter.ts),
 * so the engine and the rule tests never import the extraction internals directly.
 */
import type { FileDiff } from '../model/diff.js';
import type { StructFacts, TreeFacts } from '../model/kernel-facts.js';
import { hasFactsExtractors, registerFactsExtractors } from '../engine/tree-facts-adapter.js';
import { loadCParser, type CParser } from './c-parser.js';
import { diffFacts } from './diff-facts.js';
import { extractFacts } from './extract-facts.js';
import { extractFactsFromDiff } from './extract-facts-from-diff.js';
import { mapTreeFiles } from './tree-files.js';

let registeredParser: CParser | null = null;

/** What the hunks alone show, in the TreeFacts shape the rules read (diff-only mode). */
export function partialFactsFromDiff(files: FileDiff[]): Partial<TreeFacts> {
  const d = extractFactsFromDiff(files);
  const structs = new Map<string, StructFacts>();
  for (const { struct, member } of d.structMembersAdded) {
    const s = structs.get(struct) ?? { name: struct, file: member.file, line: member.line, members: [] };
    s.members.push(member);
    structs.set(struct, s);
  }
  return { flags: d.flagDefsAdded, kfuncs: d.kfuncsAdded, structs: [...structs.values()] };
}

/**
 * Registers the extractors (loading the C parser once when none is given). Safe to call many
 * times.
 */
export async function registerKernelFacts(parser?: CParser): Promise<void> {
  registeredParser = parser ?? registeredParser ?? (await loadCParser());
  if (hasFactsExtractors()) return;
  registerFactsExtractors({
    fromFiles(files) {
      if (!registeredParser) throw new Error('tree facts need the C parser: call registerKernelFacts(await loadCParser())');
      return extractFacts(mapTreeFiles(new Map(files)), registeredParser);
    },
    fromDiff: partialFactsFromDiff,
    diff: diffFacts,
  });
}
