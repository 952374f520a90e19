// Reads machines.yml into a YAML document that keeps positions. Encoding, syntax and duplicate-key
// problems become positioned issues; nothing here throws.
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { decodeYaml } from './decode-yaml.js';
import type { IssueList } from './issues.js';
import { Locator } from './positions.js';

export interface YamlSource {
  file: string;
  text: string;
  doc: Document.Parsed;
  locator: Locator;
}

const KIND: Record<string, string> = { seq: 'a list', scalar: 'a single value' };

/**
 * Octal file modes: YAML 1.2 reads `0440` as decimal 440, Compose (YAML 1.1) as octal. A `mode:` written
 * with a leading zero means octal, as in every Compose file.
 */
function fixOctalModes(node: unknown, text: string): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const v = pair.value as Node | null;
      if (isScalar(pair.key) && pair.key.value === 'mode' && isScalar(v) && typeof v.value === 'number' && v.range) {
        const src = text.slice(v.range[0], v.range[1]);
        if (/^0[0-7]+$/.test(src)) v.value = parseInt(src, 8);
      }
      fixOctalModes(v, text);
    }
  } else if (isSeq(node)) {
    for (const item of node.items) fixOctalModes(item, text);
  }
}

export function readYaml(file: string, bytes: Uint8Array, issues: IssueList): YamlSource | undefined {
  const text = decodeYaml(file, bytes, issues);
  if (text === undefined) return undefined;
  const lc = new LineCounter();
  // uniqueKeys is checked by duplicateKeyOffsets below: the library's own check is quadratic per mapping,
  // which took seconds on a 10,000-container file. logLevel error: the library's warnings (a list used as
  // a key) went to stderr as a Node process warning.
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false, merge: true, prettyErrors: false, logLevel: 'error' });
  const locator = new Locator(file, doc, lc);
  const linesReported = new Set<number>();
  let lines: string[] | undefined; // split once: 100k lines with an error each must stay linear
  for (const e of doc.errors) {
    const at = lc.linePos(e.pos[0]);
    if (linesReported.has(at.line)) continue; // one cause often yields several errors on its line
    linesReported.add(at.line);
    const first = e.message.split('\n')[0].replace(/ at line \d+, column \d+.*$/, '');
    const message =
      e.code === 'DUPLICATE_KEY'
        ? `duplicate key '${keyAt(text, e.pos[0])}'`
        : e.code === 'MULTIPLE_DOCS'
          ? 'YAML syntax error: only one document is allowed (remove the second ---)'
          : `YAML syntax error: ${first}`;
    // `{ port: ${p} }`: a plain ${ inside a flow collection is a YAML error, and a puzzling one.
    const line = (lines ??= text.split('\n'))[at.line - 1] ?? '';
    const hint = e.code !== 'DUPLICATE_KEY' && /\$\{/.test(line) && /[[{]/.test(line) ? " (quote values that use ${...} inside { } or [ ])" : '';
    issues.add({ file, ...at, message: message + hint });
  }
  if (doc.errors.length) return undefined;
  const dupes = duplicateKeyOffsets(doc.contents as Node | null);
  for (const offset of dupes) issues.add({ file, ...lc.linePos(offset), message: `duplicate key '${keyAt(text, offset)}'` });
  if (dupes.length) return undefined;
  const contents = doc.contents as Node | null;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    issues.add({ file, line: 1, col: 1, message: 'file is empty: expected a mapping with version: 1 and machines' });
    return undefined;
  }
  if (!isMap(contents)) {
    const kind = isSeq(contents) ? KIND.seq : KIND.scalar;
    issues.add(locator.issue([], `top level must be a mapping (key: value), found ${kind}`));
    return undefined;
  }
  fixOctalModes(contents, text);
  return { file, text, doc, locator };
}

/** Source offsets of every key that repeats an earlier key of the same mapping (one Set per mapping). */
function duplicateKeyOffsets(root: Node | null): number[] {
  const found: number[] = [];
  const stack: (Node | null)[] = [root];
  while (stack.length) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        if (isScalar(key)) {
          if (seen.has(key.value) && key.range) found.push(key.range[0]);
          seen.add(key.value);
        }
        stack.push(pair.value as Node | null);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item as Node | null);
    }
  }
  return found.sort((a, b) => a - b);
}

function keyAt(text: string, start: number): string {
  const m = /^("(?:[^"\\]|\\.)*"|'[^']*'|[^:\n]*)/.exec(text.slice(start));
  return (m?.[1] ?? '').trim().replace(/^["']|["']$/g, '');
}
