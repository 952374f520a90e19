// Maps a data path (['containers', 'web', 'ports', 0]) back to a line and column in the YAML source: the
// positioned reader's Placer.
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair, type YAMLMap } from 'yaml';
import type { ConfigIssue } from '../errors.js';
import type { Path } from './path-text.js';
import type { Placer } from './placer.js';

interface Found {
  /** Deepest node reached along the path. */
  node: Node | null;
  /** Key node of the pair holding `node`, when it sits in a map. */
  key: Node | null;
  /** True when the whole path was found. */
  complete: boolean;
}

export class Locator implements Placer {
  /** Key -> first pair, per map: one linear scan per map, not per lookup (files with 10k+ keys). */
  private readonly keyIndex = new WeakMap<YAMLMap, Map<string, Pair>>();

  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lc: LineCounter,
  ) {}

  private linePos(offset: number): { line: number; col: number } {
    return this.lc.linePos(offset);
  }

  private walk(path: Path): Found {
    let node = (this.doc.contents as Node | null) ?? null;
    let key: Node | null = null;
    for (const seg of path) {
      if (node && isAlias(node)) node = (node.resolve(this.doc) as Node | undefined) ?? node;
      let next: Node | null | undefined;
      let nextKey: Node | null = null;
      if (node && isMap(node)) {
        const pair = this.pairsOf(node).get(String(seg));
        if (pair) {
          next = (pair.value as Node | null) ?? (pair.key as Node);
          nextKey = pair.key as Node;
        }
      } else if (node && isSeq(node) && typeof seg === 'number') {
        next = (node.items[seg] as Node | undefined) ?? undefined;
      }
      if (next === undefined || next === null) return { node, key, complete: false };
      node = next;
      key = nextKey;
    }
    return { node, key, complete: true };
  }

  private pairsOf(map: YAMLMap): Map<string, Pair> {
    let index = this.keyIndex.get(map);
    if (!index) {
      index = new Map();
      for (const p of map.items) {
        if (isPair(p) && isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p);
      }
      this.keyIndex.set(map, index);
    }
    return index;
  }

  /** The YAML node at `path`, or undefined. */
  node(path: Path): Node | undefined {
    const f = this.walk(path);
    return f.complete && f.node ? f.node : undefined;
  }

  /** Position of the value at `path` (or of its key with `key: true`); falls back to the nearest ancestor. */
  pos(path: Path, opts: { key?: boolean } = {}): { line: number; col: number } {
    const f = this.walk(path);
    let target: Node | null = f.node;
    if ((opts.key || !f.complete) && f.key) target = f.key;
    const offset = target?.range?.[0] ?? 0;
    return this.linePos(offset);
  }

  /** An issue at a node already in hand (a scalar being interpolated). */
  issueAt(node: object, message: string): ConfigIssue {
    return { file: this.file, ...this.linePos((node as Node).range?.[0] ?? 0), message };
  }

  issue(path: Path, message: string, opts: { key?: boolean } = {}): ConfigIssue {
    return { file: this.file, ...this.pos(path, opts), message };
  }
}
