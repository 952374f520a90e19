// A generic machine reached through a jump host, driven with the built CLI and real OpenSSH on both ends: two
// sandbox machines play the jump host and the server behind it. `mfile apply` pins both host keys, `mfile ssh`
// goes through the jump host, a changed jump host key is refused by apply and by `mfile ssh` until
// `mfile ssh-keys forget`, and engine.transport ssh carries the Docker API over the same route.
// Needs root, docker.io, openssh-server, tini, iproute2, iptables.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeNeeding, SANDBOX } from '../helpers/prerequisites.js';
import type { SandboxData } from '../../src/drivers/sandbox/index.js';
import { ensureBuilt } from '../helpers/cli.js';
import { cliProject, type CliProject } from '../helpers/cli-project.js';

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describeNeeding(SANDBOX)('a generic machine behind a jump host, through the CLI', () => {
  let p: CliProject;
  const ip = (m: string): string => (p.state().machines[m].driverData as unknown as SandboxData).ip;
  const key = (m: string): string => path.join(p.dir, '.mfile/machines', m, 'id_ed25519');
  const fingerprintOf = (pub: string): string => execFileSync('ssh-keygen', ['-lf', pub], { encoding: 'utf8' }).split(' ')[1];
  const sandboxes = `version: 1
project: jumpcli
machines:
  bastion: { driver: sandbox, sandbox: { subnet: 10.213.52.0/24 } }
  inner: { driver: sandbox, sandbox: { subnet: 10.213.52.0/24 } }
`;
  const withBehind = (engine: string): string =>
    sandboxes +
    `  behind:
    driver: generic
    generic:
      host: ${ip('inner')}
      user: root
      identity_file: ${key('inner')}
      jump: { host: ${ip('bastion')}, user: root, identity_file: ${key('bastion')} }
    engine: ${engine}
`;
  const applyBehind = () => p.run(['apply', '-y', '--target', 'machine.behind']);
  const sshBehind = (cmd: string[]) => p.run(['ssh', 'behind', '--', ...cmd], { timeoutMs: 30_000 });

  beforeAll(() => {
    ensureBuilt();
    p = cliProject('jumpcli');
    p.write(sandboxes);
    const r = p.run(['apply', '-y']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
  }, 300_000);

  afterAll(() => {
    if (existsSync(p.stateFile) && Object.keys(p.state().machines).length) p.run(['destroy', '-y']);
  }, 120_000);

  it('apply provisions the machine through the jump host and pins both host keys', () => {
    p.write(withBehind('{ install: never, labels: { role: inner } }'));
    const r = applyBehind();
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const s = p.state();
    expect(s.machines.behind.status).toBe('created');
    expect(s.machines.behind.hostKeyFingerprint).toBe(fingerprintOf(path.join(p.dir, '.mfile/machines/inner/ssh_host_ed25519_key.pub')));
    expect(s.machines.behind.jumpHostKeyFingerprint).toBe(fingerprintOf(path.join(p.dir, '.mfile/machines/bastion/ssh_host_ed25519_key.pub')));
    const info = p.docker('behind', ['info', '--format', '{{.Name}} {{json .Labels}}']);
    expect(info.status, info.stderr).toBe(0);
    expect(info.stdout).toMatch(/^inner .*role=inner/);
  }, 120_000);

  it('mfile ssh reaches the machine through the jump host', () => {
    const r = sshBehind(['sh', '-c', 'hostname; echo "${SSH_CONNECTION%% *}"']);
    expect(r.code, r.stderr).toBe(0);
    // The server saw the login come from the jump host, not from this controller.
    expect(r.stdout).toBe(`inner\n${ip('bastion')}\n`);
  });

  it('a changed jump host key is refused by apply and by mfile ssh, naming the jump host', () => {
    const pinned = p.state().machines.behind.jumpHostKeyFingerprint!;
    const hostKey = path.join(p.dir, '.mfile/machines/bastion/ssh_host_ed25519_key');
    // sshd re-executes for every connection and so offers the new key from the next login on.
    execFileSync('sh', ['-c', `rm -f "$1"*; ssh-keygen -q -t ed25519 -N '' -f "$1"`, 'sh', hostKey]);
    p.write(withBehind('{ install: never, labels: { role: behind } }')); // a change that makes apply log in

    const r = applyBehind();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`behind: jump host ${esc(ip('bastion'))}:22: host key changed: pinned ${esc(pinned)}, offered ${esc(fingerprintOf(`${hostKey}.pub`))}\\.`));
    expect(r.stderr).toContain('mfile ssh-keys forget behind');
    expect(p.state().machines.behind.jumpHostKeyFingerprint).toBe(pinned);
    const ssh = sshBehind(['true']);
    expect(ssh.code).toBe(255);
    expect(ssh.stderr).toMatch(/Host key verification failed/);
  }, 120_000);

  it('after mfile ssh-keys forget the next apply pins the new jump host key', () => {
    const forget = p.run(['ssh-keys', 'forget', 'behind']);
    expect(forget.code, forget.stderr).toBe(0);
    expect(p.state().machines.behind.jumpHostKeyFingerprint).toBeUndefined();
    const r = applyBehind();
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(p.state().machines.behind.jumpHostKeyFingerprint).toBe(fingerprintOf(path.join(p.dir, '.mfile/machines/bastion/ssh_host_ed25519_key.pub')));
    expect(sshBehind(['hostname']).stdout).toBe('inner\n');
    expect(p.docker('behind', ['info', '--format', '{{json .Labels}}']).stdout).toContain('role=behind');
  }, 120_000);

  it('with engine.transport ssh the Docker API goes through the jump host and the TCP port is closed', () => {
    p.write(withBehind('{ install: never, transport: ssh }'));
    const r = applyBehind();
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(p.state().machines.behind.engineUrl).toBe(`ssh://${ip('inner')}/var/run/docker.sock`);
    const env = p.run(['env', 'behind']);
    expect(env.code).toBe(1);
    expect(env.stderr).toContain(`use DOCKER_HOST=ssh://root@${ip('inner')}`);
    // The daemon's version, asked over SSH through the jump host when the machine was provisioned.
    expect(p.run(['ls']).stdout).toMatch(new RegExp(`^behind\\s+generic\\s+\\S+\\s+ssh://${esc(ip('inner'))}/var/run/docker\\.sock\\s+\\d+\\.\\d+`, 'm'));
    const daemonJson = sshBehind(['cat', '/etc/docker/daemon.json']);
    expect(daemonJson.code, daemonJson.stderr).toBe(0);
    expect(daemonJson.stdout).not.toContain('2376');
  }, 120_000);
});
