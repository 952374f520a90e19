// sha256 of canonical JSON: stable hashes across runs. canonicalJson itself is model vocabulary (saved plans use it).
import { hash } from 'node:crypto';
import { canonicalJson } from '../model/canonical-json.js';

export { canonicalJson };

export function sha256Hex(text: string): string {
  // One-shot: no Hash object per call (a 10,000-container plan hashes each container).
  return hash('sha256', text, 'hex');
}

/** Deep equality of plain data (JSON semantics). */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return canonicalJson(a) === canonicalJson(b);
}
