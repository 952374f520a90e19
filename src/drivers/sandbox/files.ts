// Per-machine files on the controller: .mfile/machines/NAME/ holds the SSH keys (0600), sshd_config, and
// root/ with the folders bind-mounted over the machine's /etc/docker, /var/lib/docker, /var/log and /tmp.
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fingerprintOf } from '../../remote/ssh/fingerprint.js';
import { ensureDir } from '../../remote/tls/store.js';
import { sshdConfig } from './sshd-config.js';
import { run } from './run.js';

export const ROOT_DIRS = ['etc-docker', 'var-lib-docker', 'var-log', 'tmp', 'root-home'];

export function identityFile(dir: string): string {
  return join(dir, 'id_ed25519');
}

/** Write keys, sshd_config and the root folders; returns the host key's fingerprint (known before contact). */
export async function prepareMachineDir(machine: string, dir: string, ip: string): Promise<string> {
  await mkdir(join(dir, '..'), { recursive: true });
  await ensureDir(dir);
  const root = join(dir, 'root');
  for (const d of ROOT_DIRS) await mkdir(join(root, d), { recursive: true, mode: 0o755 });
  await chmod(join(root, 'tmp'), 0o1777);
  await chmod(join(root, 'root-home'), 0o700);
  await writeFile(join(root, 'etc-default-docker'), '', { flag: 'a' });
  const keys = [identityFile(dir), join(dir, 'ssh_host_ed25519_key')];
  await Promise.all(keys.map((k) => rm(k, { force: true }).then(() => rm(k + '.pub', { force: true }))));
  await Promise.all(
    keys.map((k) => run(machine, 'ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `mfile-${machine}`, '-f', k])),
  );
  for (const k of keys) await chmod(k, 0o600);
  await writeFile(join(dir, 'authorized_keys'), await readFile(identityFile(dir) + '.pub'), { mode: 0o600 });
  await writeFile(join(dir, 'sshd_config'), sshdConfig(ip), { mode: 0o600 });
  const pub = (await readFile(join(dir, 'ssh_host_ed25519_key.pub'), 'utf8')).split(' ');
  return fingerprintOf(Buffer.from(pub[1], 'base64'));
}
