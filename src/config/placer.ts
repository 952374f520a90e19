// Where the loading steps place an issue: the positioned reader's Locator (positions.ts) gives a line and column;
// the fast reader has no positions and needs none, since any issue sends the file back to the positioned reader.
import type { ConfigIssue } from '../errors.js';
import type { Path } from './path-text.js';

export interface Placer {
  readonly file: string;
  /** The source node at `path` (the positioned tree's), or undefined. */
  node(path: Path): object | undefined;
  /** An issue at the value at `path` (or its key with `key: true`), else at its nearest ancestor. */
  issue(path: Path, message: string, opts?: { key?: boolean }): ConfigIssue;
  /** An issue at a node already in hand (a scalar being interpolated). */
  issueAt(node: object, message: string): ConfigIssue;
}

/** Every issue at 1:1: such issues are never shown (the positioned reader reads the file again to place them). */
export function unplaced(file: string): Placer {
  const at = (message: string): ConfigIssue => ({ file, line: 1, col: 1, message });
  return { file, node: () => undefined, issue: (_path, message) => at(message), issueAt: (_node, message) => at(message) };
}
