// `__proto__` is not a usable key: JavaScript objects read it as their prototype, so an environment variable,
// label or name spelled so would vanish (or change what every lookup sees). It is refused where it is written.
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { IssueList } from './issues.js';
import type { YamlSource } from './read-yaml.js';

export const RESERVED_KEY = '__proto__';

export const reservedKeyMessage = (what: string): string =>
  `'${RESERVED_KEY}' cannot be used as ${what}: it names JavaScript's object prototype; rename it`;

/** Reports every `__proto__:` map key and every `__proto__=...` list entry (environment, labels as a list). */
export function checkReservedKeys(src: YamlSource, issues: IssueList): void {
  const walk = (node: unknown): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isScalar(pair.key) && pair.key.value === RESERVED_KEY) issues.add(src.locator.issueAt(pair.key as Node, reservedKeyMessage('a key')));
        walk(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) {
        if (isScalar(item) && typeof item.value === 'string' && (item.value === RESERVED_KEY || item.value.startsWith(`${RESERVED_KEY}=`))) {
          issues.add(src.locator.issueAt(item, reservedKeyMessage('a name')));
        }
        walk(item);
      }
    }
  };
  walk(src.doc.contents);
}
