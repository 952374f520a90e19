// sha256 of canonical JSON: stable hashes across runs. canonicalJson itself is model vocabulary (saved plans use it).
import { hash } from 'node:crypto';
import { canonicalJson } from '../model/canonical-json.js';

export { canonicalJson };

export function sha256Hex(text: string): string {
  // One-shot: no Hash object per call (a 10,000-container plan hashes each container).
  return hash('sha256', text, 'hex');
}

/**
 * canonicalJson of a map as its parts: each defined value's key and canonical JSON, keys sorted. Joined by
 * joinCanonical, they are canonicalJson(obj); apart, they say which value a text search found something in.
 */
export function canonicalEntries(obj: Record<string, unknown>): [key: string, json: string][] {
  const out: [string, string][] = [];
  for (const k of Object.keys(obj).sort()) if (obj[k] !== undefined) out.push([k, canonicalJson(obj[k])]);
  return out;
}

export function joinCanonical(entries: readonly [key: string, json: string][]): string {
  let s = '{';
  for (let i = 0; i < entries.length; i++) s += `${i ? ',' : ''}${JSON.stringify(entries[i][0])}:${entries[i][1]}`;
  return `${s}}`;
}

/** Deep equality of plain data (JSON semantics). */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return canonicalJson(a) === canonicalJson(b);
}
