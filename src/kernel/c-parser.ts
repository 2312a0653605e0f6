import { createRequire } from 'node:module';
import { Language, Parser, type Node, type Tree } from 'web-tree-sitter';

const require = createRequire(import.meta.url);

let parserPromise: Promise<Parser> | null = null;

/**
 * The one tree-sitter C parser of the process (wasm, loaded once).
 * Everything that parses C (kfunc facts, verifier structs, selftest programs) goes through here.
 */
export function loadCParser(): Promise<Parser> {
  if (!parserPromise) {
    parserPromise = (async () => {
      await Parser.init();
      const wasmPath = require.resolve('tree-sitter-c/tree-sitter-c.wasm');
      const language = await Language.load(wasmPath);
      const parser = new Parser();
      parser.setLanguage(language);
      return parser;
    })();
  }
  return parserPromise;
}

/** Parse C source; the caller must `tree.delete()` when done with large trees in long loops. */
export async function parseC(source: string): Promise<Tree> {
  const parser = await loadCParser();
  const tree = parser.parse(source);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

/** Synchronous parse once the parser is loaded (the pure core stays synchronous). */
export function parseCSync(parser: Parser, source: string): Tree {
  const tree = parser.parse(source);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

export type { Node as CNode, Tree as CTree, Parser as CParser };
