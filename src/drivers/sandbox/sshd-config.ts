// The machine's sshd_config. Paths in it are the ones inside the machine (the machine folder at its fixed
// bind, see init-script.ts), never the folder's path on the box, which the machine's mounts may hide.
import { join } from 'node:path';
import { sshConfigArg as q } from '../../remote/ssh/config-quote.js';

/** Where the init binds the machine folder inside the machine's mount namespace. */
export const MACHINE_DIR_INSIDE = '/run/mfile/machine';

export function sshdConfig(ip: string): string {
  return [
    `ListenAddress ${ip}:22`,
    `HostKey ${q(join(MACHINE_DIR_INSIDE, 'ssh_host_ed25519_key'))}`,
    `PidFile ${q('/run/sshd.pid')}`,
    `AuthorizedKeysFile ${q('/run/mfile/authorized_keys')}`,
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'AllowStreamLocalForwarding yes',
    'MaxSessions 10',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}
