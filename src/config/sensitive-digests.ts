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

/**
 * Digests of sensitive values, each started on libuv's pool as soon as the value is known (`start`, once the
 * file is read) and awaited only when the hashes need them (`digests`): the file is checked and normalised
 * meanwhile, instead of the main thread waiting out scrypt's tens of milliseconds at the end.
 */
export class SensitiveDigester {
  private readonly started = new Map<string, Promise<string>>();

  constructor(private readonly project: string) {}

  /** Starts what is not started yet; a failure surfaces from `digests`, never as an unhandled rejection. */
  start(values: readonly string[]): void {
    for (const value of values) {
      if (value.length === 0 || this.started.has(value)) continue;
      const pending = digest(value, this.project);
      pending.catch(() => undefined);
      this.started.set(value, pending);
    }
  }

  /** [value, digest] for each distinct non-empty value, in first-seen order; `project` salts them. */
  async digests(values: readonly string[], project: string): Promise<SensitiveDigest[]> {
    if (project !== this.project) return new SensitiveDigester(project).digests(values, project);
    this.start(values);
    const distinct = [...new Set(values.filter((v) => v.length > 0))];
    return Promise.all(distinct.map(async (value): Promise<SensitiveDigest> => [value, await this.started.get(value)!]));
  }
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
