// sha256 of canonical JSON: stable hashes across runs. canonicalJson itself is model vocabulary (saved plans use it).
import { createHash } from 'node:crypto';
import { canonicalJson } from '../model/canonical-json.js';

export { canonicalJson };

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Deep equality of plain data (JSON semantics). */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return canonicalJson(a) === canonicalJson(b);
}
