// The SSH key pair mfile makes for a provisioned plugin machine, in .mfile/machines/NAME/ (private key 0600).
// The plugin gets the public key and puts it on the host; mfile logs in with the private one.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureMachineDir, machineDir } from '../../remote/tls/store.js';

const run = promisify(execFile);

export interface MachineKey {
  publicKey: string;
  identityFile: string;
}

/** Where the machine's private key is (whether or not it was made yet). */
export function machineKeyPath(stateDir: string, machine: string): string {
  return join(machineDir(stateDir, machine), 'id_ed25519');
}

/** The machine's key pair, made on first use; ssh-keygen writes into a fresh folder and rename puts it in place. */
export async function ensureMachineKey(stateDir: string, machine: string): Promise<MachineKey> {
  const dir = await ensureMachineDir(stateDir, machine);
  const identityFile = join(dir, 'id_ed25519');
  const existing = await readFile(`${identityFile}.pub`, 'utf8').catch(() => null);
  if (existing !== null && (await readFile(identityFile).then(() => true, () => false))) {
    return { publicKey: existing.trim(), identityFile };
  }
  const tmp = await mkdtemp(join(dir, '.keygen-'));
  try {
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `mfile-${machine}`, '-f', join(tmp, 'id_ed25519')]);
    // Private key first: a public key on disk means its pair is complete.
    await rename(join(tmp, 'id_ed25519'), identityFile);
    await rename(join(tmp, 'id_ed25519.pub'), `${identityFile}.pub`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return { publicKey: (await readFile(`${identityFile}.pub`, 'utf8')).trim(), identityFile };
}
