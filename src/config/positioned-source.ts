// The positioned reader's tree as a ConfigSource. Loaded only when there is something to place or the fast
// reader declined the file: the `yaml` package alone takes ~35 ms to load, a tenth of a small plan.
import { isMap, isScalar, isSeq, type Node, type Scalar } from 'yaml';
import type { ConfigSource } from './config-source.js';
import type { Raw } from './context.js';
import type { IssueList } from './issues.js';
import { readYaml } from './read-yaml.js';
import { RESERVED_KEY, reservedKeyMessage } from './reserved-keys.js';
import type { Locator } from './positions.js';

export function readPositioned(file: string, bytes: Uint8Array, issues: IssueList): ConfigSource | undefined {
  const src = readYaml(file, bytes, issues);
  if (!src) return undefined;
  const contents = src.doc.contents as Node | null;
  return {
    placer: src.locator,
    variables: () => (src.doc.toJS() as Raw | null)?.variables,
    slots: () => dollarScalars(contents),
    checkTree: (out) => checkReservedKeys(contents, src.locator, out),
    data: () => src.doc.toJS() as Raw,
  };
}

/** Scalars holding `$` outside the top-level `variables`, in document order. */
function dollarScalars(root: Node | null): Scalar[] {
  const found: Scalar[] = [];
  const walk = (node: unknown, top: boolean): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (top && isScalar(pair.key) && pair.key.value === 'variables') continue;
        walk(pair.value, false);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) walk(item, false);
    } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('$')) {
      found.push(node);
    }
  };
  walk(root, true);
  return found;
}

/** Reports every `__proto__:` map key and every `__proto__=...` list entry (environment, labels as a list). */
function checkReservedKeys(root: Node | null, locator: Locator, issues: IssueList): void {
  const walk = (node: unknown): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isScalar(pair.key) && pair.key.value === RESERVED_KEY) issues.add(locator.issueAt(pair.key, reservedKeyMessage('a key')));
        walk(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) {
        if (isScalar(item) && typeof item.value === 'string' && (item.value === RESERVED_KEY || item.value.startsWith(`${RESERVED_KEY}=`))) {
          issues.add(locator.issueAt(item, reservedKeyMessage('a name')));
        }
        walk(item);
      }
    }
  };
  walk(root);
}
