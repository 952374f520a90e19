// Image checksums: `sha256:HEX` or `sha512:HEX`, checked over the whole file.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { DriverError } from '../../errors.js';

export interface Checksum {
  algorithm: 'sha256' | 'sha512';
  hex: string;
}

const LENGTH = { sha256: 64, sha512: 128 } as const;

export function parseChecksum(machine: string, text: string): Checksum {
  const m = /^(sha256|sha512):([0-9a-fA-F]+)$/.exec(text.trim());
  if (!m || m[2].length !== LENGTH[m[1] as Checksum['algorithm']]) {
    throw new DriverError(machine, `qemu.checksum "${text}" must be sha256:<64 hex digits> or sha512:<128 hex digits>`);
  }
  return { algorithm: m[1] as Checksum['algorithm'], hex: m[2].toLowerCase() };
}

export function checksumText(c: Checksum): string {
  return `${c.algorithm}:${c.hex}`;
}

/** The hex digest of a file. */
export function hashFile(path: string, algorithm: Checksum['algorithm']): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash(algorithm);
    createReadStream(path)
      .on('data', (b) => h.update(b))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

/** Throws a one-line error naming both digests when the file is not the one the checksum names. */
export async function verifyFile(machine: string, path: string, want: Checksum, what: string): Promise<void> {
  const got = await hashFile(path, want.algorithm);
  if (got !== want.hex) {
    throw new DriverError(machine, `wrong checksum for ${what}: expected ${checksumText(want)}, got ${want.algorithm}:${got}`);
  }
}
