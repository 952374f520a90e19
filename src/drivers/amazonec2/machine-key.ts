// The machine's own SSH key, made on the controller (.mfile/machines/NAME/id_ed25519, 0600) and imported into
// EC2 as the instance's key pair. A create rerun after a crash finds the same key (and so the same idempotency
// token); remove deletes the folder, so the next machine of that name gets a new key.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DriverError } from '../../errors.js';

const run = promisify(execFile);

export interface MachineKey {
  identityFile: string;
  publicKey: string;
}

export function identityFileIn(dir: string): string {
  return join(dir, 'id_ed25519');
}

export async function ensureMachineKey(machine: string, dir: string): Promise<MachineKey> {
  const identityFile = identityFileIn(dir);
  const existing = await readFile(identityFile + '.pub', 'utf8').catch(() => undefined);
  if (existing && existsSync(identityFile)) return { identityFile, publicKey: existing.trim() };
  // ssh-keygen writes into a fresh folder of ours; rename then replaces whatever is at the final names (a planted
  // symlink included) instead of writing through it. The private key is renamed last: its public half is there first.
  const tmp = await mkdtemp(join(dir, '.keygen-'));
  try {
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `mfile-${machine}`, '-f', join(tmp, 'k')]);
    await rename(join(tmp, 'k.pub'), identityFile + '.pub');
    await rename(join(tmp, 'k'), identityFile);
  } catch (e) {
    throw new DriverError(machine, `cannot make the machine's SSH key with ssh-keygen: ${(e as Error).message.split('\n')[0]}`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return { identityFile, publicKey: (await readFile(identityFile + '.pub', 'utf8')).trim() };
}
