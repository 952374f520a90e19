// Slow, salted digests of sensitive values. Config hashes (container labels, the state's engine hash, a saved
// plan's config digest) take these in place of the values, so a hash cannot confirm a guessed secret with one
// cheap sha256; the digest is deterministic, so every clone and a lost state compute the same hashes.
import { scrypt } from 'node:crypto';
import type { SensitiveDigest } from '../model/desired.js';

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
