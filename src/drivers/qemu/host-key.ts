// The guest's SSH host key, made here and handed to cloud-init in the seed: its fingerprint is known before the
// first contact, as the sandbox driver knows its hosts' keys.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DriverError } from '../../errors.js';
import { fingerprintOf } from '../../remote/ssh/fingerprint.js';

const run = promisify(execFile);

export interface HostKey {
  privateKey: string;
  publicKey: string;
  fingerprint: string;
}

export function fingerprintOfPublicKey(publicKey: string): string {
  return fingerprintOf(Buffer.from(publicKey.trim().split(/\s+/)[1] ?? '', 'base64'));
}

/** A fresh ed25519 key pair, made in a private temporary folder inside `dir` and removed from there. */
export async function makeHostKey(machine: string, dir: string): Promise<HostKey> {
  const tmp = await mkdtemp(join(dir, '.hostkey-'));
  try {
    const file = join(tmp, 'key');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `mfile-${machine}`, '-f', file]).catch((e: Error) => {
      throw new DriverError(machine, `ssh-keygen failed (apt-get install openssh-client): ${e.message.split('\n')[0]}`);
    });
    const privateKey = await readFile(file, 'utf8');
    const publicKey = (await readFile(`${file}.pub`, 'utf8')).trim();
    return { privateKey, publicKey, fingerprint: fingerprintOfPublicKey(publicKey) };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
