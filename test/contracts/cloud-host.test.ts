// The fake clouds' real hosts: root logs in with the key a driver uploaded, and with no other.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startCloudHost } from '../helpers/cloud-host.js';
import { describeNeeding, SANDBOX } from '../helpers/prerequisites.js';

function keyPair(dir: string, name: string): string {
  const f = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', f]);
  return f;
}

function sshAs(key: string, ip: string): number | null {
  return spawnSync('ssh', ['-i', key, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'IdentitiesOnly=yes', '-o', 'ConnectTimeout=5', `root@${ip}`, 'true'], {
    stdio: 'ignore',
    timeout: 30_000,
  }).status;
}

describeNeeding(SANDBOX)('cloud host', () => {
  it('accepts the uploaded key, refuses another, and is gone after remove', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cloud-host-keys-'));
    const uploaded = keyPair(dir, 'uploaded');
    const other = keyPair(dir, 'other');
    const host = await startCloudHost({ name: 'ch-test', subnet: '10.213.149.0/24', authorizedKey: readFileSync(uploaded + '.pub', 'utf8') });
    try {
      expect(host.ip).toMatch(/^10\.213\.149\.\d+$/);
      expect(sshAs(uploaded, host.ip)).toBe(0);
      expect(sshAs(other, host.ip)).not.toBe(0);
    } finally {
      await host.remove();
    }
    expect(sshAs(uploaded, host.ip)).not.toBe(0);
  }, 90_000);
});
