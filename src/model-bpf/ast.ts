import type { CNode } from '../kernel/c-parser.js';

/**
 * A caching view of a tree-sitter node. web-tree-sitter crosses into wasm (and allocates a new
 * Node) on every property access; the interpreter walks the same statements many times (paths,
 * unrolled loops, inlined subprograms), so each node's type, text and children are read once.
 */
export interface ANode {
  readonly id: number;
  readonly type: string;
  readonly text: string;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: { row: number; column: number };
  readonly namedChildren: ANode[];
  readonly children: ANode[];
  childForFieldName(name: string): ANode | null;
  childrenForFieldName(name: string): ANode[];
}

class CachedNode implements ANode {
  private _type?: string;
  private _text?: string;
  private _named?: ANode[];
  private _children?: ANode[];
  private _pos?: { row: number; column: number };
  private _start?: number;
  private _end?: number;
  private readonly fields = new Map<string, ANode | null>();
  private readonly fieldLists = new Map<string, ANode[]>();

  constructor(
    private readonly n: CNode,
    private readonly cache: Map<number, CachedNode>,
  ) {}

  get id(): number {
    return this.n.id;
  }
  get type(): string {
    return (this._type ??= this.n.type);
  }
  get text(): string {
    return (this._text ??= this.n.text);
  }
  get startIndex(): number {
    return (this._start ??= this.n.startIndex);
  }
  get endIndex(): number {
    return (this._end ??= this.n.endIndex);
  }
  get startPosition(): { row: number; column: number } {
    return (this._pos ??= this.n.startPosition);
  }
  get namedChildren(): ANode[] {
    return (this._named ??= this.n.namedChildren.filter((c): c is CNode => !!c).map((c) => wrapNode(c, this.cache)));
  }
  get children(): ANode[] {
    return (this._children ??= this.n.children.filter((c): c is CNode => !!c).map((c) => wrapNode(c, this.cache)));
  }
  childForFieldName(name: string): ANode | null {
    if (!this.fields.has(name)) {
      const c = this.n.childForFieldName(name);
      this.fields.set(name, c ? wrapNode(c, this.cache) : null);
    }
    return this.fields.get(name)!;
  }
  childrenForFieldName(name: string): ANode[] {
    let l = this.fieldLists.get(name);
    if (!l) {
      l = this.n.childrenForFieldName(name).filter((c): c is CNode => !!c).map((c) => wrapNode(c, this.cache));
      this.fieldLists.set(name, l);
    }
    return l;
  }
}

export function wrapNode(n: CNode, cache: Map<number, CachedNode>): ANode {
  let w = cache.get(n.id);
  if (!w) {
    w = new CachedNode(n, cache);
    cache.set(n.id, w);
  }
  return w;
}

export type NodeCache = Map<number, CachedNode>;
