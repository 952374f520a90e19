// Slow, salted digests of sensitive values. Config hashes (container labels, the state's engine hash, a saved
// plan's config digest) take these in place of the values, so a hash cannot confirm a guessed secret with one
// cheap sha256; the digest is deterministic, so every clone and a lost state compute the same hashes.
import { scrypt } from 'node:crypto';
import type { SensitiveDigest } from '../model/desired.js';
import { parseDuration, parseSize } from './units.js';

// scrypt N=2^14, r=8 (16 MiB, tens of ms per value); values are digested at once on libuv's pool.
const COST = { N: 1 << 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

function digest(value: string, project: string): Promise<string> {
  return new Promise((resolve, reject) =>
    scrypt(value, `mfile config hash\0${project}`, 32, COST, (err, key) => (err ? reject(err) : resolve(key.toString('hex')))),
  );
}

export async function sensitiveDigests(values: readonly string[], project: string): Promise<SensitiveDigest[]> {
  const distinct = [...new Set(values.filter((v) => v.length > 0))];
  return Promise.all(distinct.map(async (value): Promise<SensitiveDigest> => [value, await digest(value, project)]));
}

/**
 * The numbers that scalars holding a sensitive value normalise to (`cpu_shares: ${n}`, `mem_limit: ${m}`,
 * `interval: ${d}` in ns), so output can mask them like the value itself.
 */
export function sensitiveNumbers(scalars: readonly string[]): number[] {
  const out = new Set<number>();
  for (const text of scalars) {
    const t = text.trim();
    if (t === '') continue;
    if (Number.isFinite(Number(t))) {
      out.add(Number(t));
      continue; // a bare number is no size or duration with a unit ("0.5" is not 1 byte)
    }
    const ns = parseDuration(t);
    if (ns !== undefined) out.add(ns);
    const bytes = parseSize(t);
    if (bytes !== undefined) out.add(bytes);
  }
  return [...out].sort((a, b) => a - b);
}
