// Harness, not end to end: the machine step run directly for a generic machine behind a jump host, with real
// OpenSSH on both (two sandbox machines play the jump host and the server behind it), an in-memory state and
// no CLI, executor, state file or lock (test/e2e/ssh-jump-cli.test.ts drives the same through the built CLI).
// The jump host's key is pinned like the machine's own, a changed one is refused by the step and by the system
// ssh client running the argv mfile ssh builds, and forgetHostKey lets the next update pin the new one.
// Needs root, docker.io, openssh-server, tini, iproute2, iptables.
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeNeeding, SANDBOX } from '../helpers/prerequisites.js';
import type { SandboxData } from '../../src/drivers/sandbox/index.js';
import { sandboxDriver } from '../../src/drivers/sandbox/index.js';
import type { MachineSpec } from '../../src/model/index.js';
import { closeSshPool, sshPool } from '../../src/remote/ssh/pool.js';
import { forgetHostKey, sshArgv } from '../../src/remote/ssh/ssh-helpers.js';
import { harness, type Harness } from '../helpers/sandbox-run.js';
import { engineSpec, sandboxSpec, testStateDir } from '../helpers/sandbox.js';
import { genericTraits } from '../../src/drivers/generic/traits.js';

const SUBNET = { subnet: '10.213.45.0/24' };

describeNeeding(SANDBOX)('harness: the machine step for a generic machine behind a jump host', () => {
  let h: Harness;
  const ip = (m: string) => (h.state.machines[m].driverData as unknown as SandboxData).ip;
  const key = (m: string) => join(h.stateDir, 'machines', m, 'id_ed25519');
  /** The system ssh client with the argv `mfile ssh behind -- CMD` builds (sshArgv), without the CLI. */
  const systemSsh = (command: string[]) => {
    const argv = sshArgv(h.state.machines.behind, h.stateDir, command);
    return spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 30_000 });
  };

  beforeAll(async () => {
    h = harness(testStateDir('jump'), [sandboxSpec('bastion', { driverOptions: SUBNET }), sandboxSpec('inner', { driverOptions: SUBNET })]);
    await Promise.all([h.run('bastion', 'create'), h.run('inner', 'create')]);
    const behind: MachineSpec = {
      name: 'behind',
      driver: 'generic',
      traits: genericTraits,
      driverOptions: {
        host: ip('inner'),
        user: 'root',
        identity_file: key('inner'),
        jump: { host: ip('bastion'), user: 'root', identity_file: key('bastion') },
      },
      engine: engineSpec({ install: 'never' }),
      tls: { enabled: true, san: [] },
    };
    h.desired.machines.behind = behind;
    await closeSshPool(); // the first connections to the sandboxes came without the jump
  }, 240_000);

  afterAll(async () => {
    await closeSshPool();
    for (const m of ['bastion', 'inner']) {
      const r = h.state.machines[m];
      if (r) await sandboxDriver().remove({ machine: h.desired.machines[m], driverData: r.driverData, ctx: { stateDir: h.stateDir, project: 'test' } }).catch(() => undefined);
    }
    rmSync(dirname(h.stateDir), { recursive: true, force: true });
  }, 120_000);

  it('provisions through the jump host and pins both host keys', async () => {
    const rec = await h.run('behind', 'create');
    expect(rec!.status).toBe('created');
    expect(rec!.hostKeyFingerprint).toBe(h.state.machines.inner.hostKeyFingerprint);
    expect(rec!.jumpHostKeyFingerprint).toBe(h.state.machines.bastion.hostKeyFingerprint);
    // The server saw the login come from the jump host, not from this controller.
    const s = await sshPool().get({ machine: 'behind', address: rec!.ssh!, pinnedFingerprint: rec!.hostKeyFingerprint, pinnedJumpFingerprint: rec!.jumpHostKeyFingerprint });
    expect((await s.exec(['sh', '-c', 'echo "${SSH_CONNECTION%% *}"'])).stdout.trim()).toBe(ip('bastion'));
  }, 120_000);

  it('the ssh argv that mfile ssh builds goes through the jump host with both keys checked', () => {
    const r = systemSsh(['sh', '-c', 'hostname; echo "${SSH_CONNECTION%% *}"']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`inner\n${ip('bastion')}\n`);
  });

  it('a changed jump host key is refused by the step, naming the jump host, and by ssh with the argv mfile ssh builds', async () => {
    const pinned = h.state.machines.behind.jumpHostKeyFingerprint!;
    const hostKey = join(h.stateDir, 'machines', 'bastion', 'ssh_host_ed25519_key');
    // sshd re-executes for every connection and so offers the new key from the next login on.
    execFileSync('sh', ['-c', `rm -f "$1"*; ssh-keygen -q -t ed25519 -N '' -f "$1"`, 'sh', hostKey]);
    await closeSshPool();

    const err = await h.run('behind', 'update').then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(new RegExp(`^behind: jump host ${ip('bastion').replace(/\./g, '\\.')}:22: host key changed: pinned ${pinned.replace(/[+/]/g, '\\$&')}, offered SHA256:\\S+\\.`));
    expect(err?.message).toContain('mfile ssh-keys forget behind');
    const r = systemSsh(['true']);
    expect(r.status).toBe(255);
    expect(r.stderr).toMatch(/Host key verification failed/);
  }, 120_000);

  it('after forgetHostKey the next update pins the new jump host key', async () => {
    const old = h.state.machines.behind.jumpHostKeyFingerprint;
    await forgetHostKey(h.state, h.stateDir, 'behind');
    const rec = await h.run('behind', 'update');
    expect(rec!.jumpHostKeyFingerprint).toMatch(/^SHA256:/);
    expect(rec!.jumpHostKeyFingerprint).not.toBe(old);
    expect(systemSsh(['hostname']).stdout).toBe('inner\n');
  }, 120_000);

  it('with engine.transport ssh the Docker API goes over the same connection through the jump host', async () => {
    h.desired.machines.behind = { ...h.desired.machines.behind, engine: engineSpec({ install: 'never', transport: 'ssh' }) };
    const rec = await h.run('behind', 'update');
    expect(rec!.engineUrl).toBe(`ssh://${ip('inner')}/var/run/docker.sock`);
    expect(rec!.dockerVersion).toMatch(/^\d+\.\d+/);
    // No TCP listener any more: only the SSH route reaches this engine.
    const s = await sshPool().get({ machine: 'behind', address: rec!.ssh!, pinnedFingerprint: rec!.hostKeyFingerprint, pinnedJumpFingerprint: rec!.jumpHostKeyFingerprint });
    expect((await s.exec(['cat', '/etc/docker/daemon.json'])).stdout).not.toContain('2376');
  }, 120_000);
});
