// Sensitive values in hashed text are replaced by their slow digests (config/sensitive-digests.ts makes them):
// config digests the whole file with it, plan hashes specs with it. Pure text, so both may import it.
import type { SensitiveDigest } from './desired.js';

/**
 * Text to hash with each sensitive value replaced by its slow digest, so a hash cannot confirm a guessed secret
 * cheaply. `json`: the values appear JSON-escaped in the text. Longer values first, so one holding another is
 * replaced whole.
 */
export function withSensitiveDigests(text: string, digests: readonly SensitiveDigest[] = [], json = true): string {
  if (digests.length === 0) return text;
  let out = text;
  const ordered = digests.length === 1 ? digests : [...digests].sort((a, b) => b[0].length - a[0].length);
  for (const [value, digest] of ordered) {
    if (value === '') continue;
    const form = json ? JSON.stringify(value).slice(1, -1) : value;
    if (out.includes(form)) out = out.split(form).join(`(sensitive:${digest})`);
  }
  return out;
}
