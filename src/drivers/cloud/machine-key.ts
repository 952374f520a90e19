// The machine's own SSH key pair (ed25519, in .mfile/machines/NAME/, private part 0600): its public half is
// uploaded to the cloud and removed with the machine. Kept across reruns so an adopted server still accepts it.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writePrivateFile } from '../../fs-safety/private-file.js';
import { ensureMachineDir, machineDir } from '../../remote/tls/store.js';

export interface MachineKey {
  privateKeyFile: string;
  /** `ssh-ed25519 AAAA… mfile-MACHINE` */
  publicKey: string;
}

export function machineKeyFile(stateDir: string, machine: string): string {
  return join(machineDir(stateDir, machine), 'id_ed25519');
}

export async function ensureMachineKey(stateDir: string, machine: string): Promise<MachineKey> {
  await ensureMachineDir(stateDir, machine);
  const file = machineKeyFile(stateDir, machine);
  const existing = await readFile(file + '.pub', 'utf8').catch(() => undefined);
  if (existing && (await readFile(file).catch(() => undefined))) return { privateKeyFile: file, publicKey: existing.trim() };
  // Loaded here only: validate and plan never need the SSH library.
  const { default: ssh2 } = await import('ssh2');
  const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: `mfile-${machine}` });
  await writePrivateFile(file, pair.private);
  await writePrivateFile(file + '.pub', pair.public.trim() + '\n', { mode: 0o644 });
  return { privateKeyFile: file, publicKey: pair.public.trim() };
}

/** Same key, whatever the comment. */
export function sameKey(a: string, b: string): boolean {
  return a.trim().split(/\s+/).slice(0, 2).join(' ') === b.trim().split(/\s+/).slice(0, 2).join(' ');
}

export async function removeMachineKey(stateDir: string, machine: string): Promise<void> {
  const file = machineKeyFile(stateDir, machine);
  await rm(file, { force: true });
  await rm(file + '.pub', { force: true });
}
