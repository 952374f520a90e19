// Per-machine files on the controller: .mfile/machines/NAME/ holds the SSH keys (0600), sshd_config, and
// root/ with the folders bind-mounted over the machine's /etc/docker, /var/lib/docker, /var/log and /tmp.
import { chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writePrivateFile } from '../../fs-safety/private-file.js';
import { fingerprintOf } from '../../remote/ssh/fingerprint.js';
import { ensureMachineDir } from '../../remote/tls/store.js';
import { sshdConfig } from './sshd-config.js';
import { run } from './run.js';

export const ROOT_DIRS = ['etc-docker', 'var-lib-docker', 'var-log', 'tmp', 'root-home'];

export function identityFile(dir: string): string {
  return join(dir, 'id_ed25519');
}

/** Write keys, sshd_config and the root folders; returns the host key's fingerprint (known before contact). */
export async function prepareMachineDir(machine: string, dir: string, ip: string): Promise<string> {
  await ensureMachineDir(dirname(dirname(dir)), basename(dir)); // dir is STATE/machines/NAME
  const root = join(dir, 'root');
  for (const d of ROOT_DIRS) await mkdir(join(root, d), { recursive: true, mode: 0o755 });
  await chmod(join(root, 'tmp'), 0o1777);
  await chmod(join(root, 'root-home'), 0o700);
  await writeFile(join(root, 'etc-default-docker'), '', { flag: 'a' });
  // ssh-keygen writes into a fresh folder of ours; rename then replaces whatever is at the final names (a planted
  // symlink included) instead of writing through it.
  const keygen = await mkdtemp(join(dir, '.keygen-'));
  try {
    const names = [basename(identityFile(dir)), 'ssh_host_ed25519_key'];
    await Promise.all(
      names.map((n) => run(machine, 'ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `mfile-${machine}`, '-f', join(keygen, n)])),
    );
    for (const f of names.flatMap((n) => [n, n + '.pub'])) await rename(join(keygen, f), join(dir, f));
  } finally {
    await rm(keygen, { recursive: true, force: true });
  }
  await writePrivateFile(join(dir, 'authorized_keys'), await readFile(identityFile(dir) + '.pub'));
  await writePrivateFile(join(dir, 'sshd_config'), sshdConfig(ip));
  const pub = (await readFile(join(dir, 'ssh_host_ed25519_key.pub'), 'utf8')).split(' ');
  return fingerprintOf(Buffer.from(pub[1], 'base64'));
}
