// Real hosts behind the fake EC2's instances: each instance is a sandbox machine (own network namespace on
// 10.213.150.0/24, own sshd) whose authorized_keys holds the key pair the instance was launched with, so the
// driver's SSH login and the Docker provisioning run for real.
import path from 'node:path';
import { writePrivateFile } from '../../../src/fs-safety/private-file.js';
import { sandboxDriver } from '../../../src/drivers/sandbox/index.js';
import { machineDir } from '../../../src/remote/tls/store.js';
import type { MachineRequest } from '../../../src/drivers/driver.js';
import { request, sandboxSpec, testStateDir } from '../../helpers/sandbox.js';
import type { FakeHosts } from './fake-ec2.js';

export const EC2_HOST_SUBNET = '10.213.150.0/24';

export function namespaceHosts(): FakeHosts & { live(): string[] } {
  const stateDir = testStateDir('ec2-hosts');
  const sandbox = sandboxDriver();
  const hosts = new Map<string, MachineRequest>();
  const reqFor = (id: string): MachineRequest => {
    const r = hosts.get(id);
    if (!r) throw new Error(`no host for ${id}`);
    return r;
  };
  return {
    async create(id, publicKey) {
      const name = id.replace(/^i-/, 'i').slice(0, 14);
      const r = request(sandboxSpec(name, { driverOptions: { subnet: EC2_HOST_SUBNET } }), stateDir);
      hosts.set(id, r);
      r.driverData = (await sandbox.create(r)).driverData;
      // The instance's key pair replaces the sandbox's own key; the init copies it in when it starts again.
      await writePrivateFile(path.join(machineDir(stateDir, name), 'authorized_keys'), publicKey + '\n');
      await sandbox.stop(r);
      await sandbox.start(r);
      return String(r.driverData.ip);
    },
    async stop(id) {
      await sandbox.stop(reqFor(id));
    },
    async start(id) {
      await sandbox.start(reqFor(id));
    },
    async remove(id) {
      const r = hosts.get(id);
      if (!r) return;
      await sandbox.remove(r);
      hosts.delete(id);
    },
    live: () => [...hosts.keys()],
  };
}
