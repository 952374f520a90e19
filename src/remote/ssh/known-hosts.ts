// The pinned host key as a known_hosts file beside the machine's other files, for the system ssh client.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFile } from '../../fs-safety/private-file.js';
import { machineDir } from '../tls/store.js';
import { fingerprintOf } from './fingerprint.js';

export function knownHostsPath(stateDir: string, machine: string): string {
  return join(machineDir(stateDir, machine), 'known_hosts');
}

/** The jump host's pinned key, for the system ssh client's ProxyCommand. */
export function jumpKnownHostsPath(stateDir: string, machine: string): string {
  return join(machineDir(stateDir, machine), 'known_hosts_jump');
}

export async function writeKnownHosts(stateDir: string, machine: string, line: string, jumpLine?: string): Promise<void> {
  // Through a temp file and a rename: a planted symlink at either name is replaced, never written through.
  await writePrivateFile(knownHostsPath(stateDir, machine), line);
  if (jumpLine) await writePrivateFile(jumpKnownHostsPath(stateDir, machine), jumpLine);
}

/** Fingerprint of the key in a known_hosts file, to check it still matches the pinned one. */
export function knownHostsFingerprint(path: string): string | undefined {
  try {
    const parts = readFileSync(path, 'utf8').trim().split(/\s+/);
    return parts[2] ? fingerprintOf(Buffer.from(parts[2], 'base64')) : undefined;
  } catch {
    return undefined;
  }
}
