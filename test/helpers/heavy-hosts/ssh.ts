// The system ssh client against a test host, for checks a user would make by hand (dpkg -s, systemctl ...).
import { spawnSync } from 'node:child_process';

export interface SshResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function sshRun(ip: string, identityFile: string, script: string, timeoutMs = 60_000): SshResult {
  const r = spawnSync(
    'ssh',
    [
      '-i', identityFile,
      '-o', 'BatchMode=yes',
      '-o', 'IdentitiesOnly=yes',
      '-o', 'StrictHostKeyChecking=no',
      '-o', 'UserKnownHostsFile=/dev/null',
      '-o', 'LogLevel=ERROR',
      '-o', 'ConnectTimeout=10',
      `root@${ip}`,
      script,
    ],
    { encoding: 'utf8', timeout: timeoutMs, input: '' },
  );
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
