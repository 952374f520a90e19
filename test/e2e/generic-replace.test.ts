// Generic machines on real OpenSSH servers (two sandbox machines play the servers), driven by the built CLI.
// Replacing a generic machine with one at another address cleans the OLD server up, reached with its pinned
// key, and touches the new server only through its first contact. A provisioning that fails after the first
// contact keeps the pinned key in state.json, so the next apply refuses a changed key.
// Needs root, docker.io, openssh-server, tini, iproute2, iptables.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeNeeding, SANDBOX } from '../helpers/prerequisites.js';
import type { SandboxData } from '../../src/drivers/sandbox/index.js';
import { sandboxDriver } from '../../src/drivers/sandbox/index.js';
import type { State } from '../../src/model/index.js';
import { closeSshPool } from '../../src/remote/ssh/pool.js';
import { ensureBuilt, mfile } from '../helpers/cli.js';
import { harness, type Harness } from '../helpers/sandbox-run.js';
import { sandboxSpec, testStateDir } from '../helpers/sandbox.js';

const SUBNET = { subnet: '10.213.58.0/24' };
describeNeeding(SANDBOX)('generic machines: removal where the state says, pins from first contact', () => {
  let h: Harness;
  let dir: string;
  const ip = (m: string) => (h.state.machines[m].driverData as unknown as SandboxData).ip;
  const key = (m: string) => join(h.stateDir, 'machines', m, 'id_ed25519');
  /** The server's /etc/docker, as the controller sees it (sandbox machines bind-mount it from here). */
  const etcDocker = (m: string, ...p: string[]) => join(h.stateDir, 'machines', m, 'root', 'etc-docker', ...p);
  const generic = (name: string, server: string, opts: { sudo?: boolean; uninstall?: boolean } = {}) =>
    `  ${name}:\n    driver: generic\n` +
    `    generic: { host: "${ip(server)}", user: root, identity_file: "${key(server)}"${opts.sudo ? ', sudo: true' : ''} }\n` +
    `    engine: { install: never${opts.uninstall ? ', uninstall: true' : ''} }\n`;
  const write = (machines: string) => writeFileSync(join(dir, 'machines.yml'), `version: 1\nproject: gr\nmachines:\n${machines}`);
  const apply = () => {
    const r = mfile(['apply', '-y', '-f', join(dir, 'machines.yml')], { timeoutMs: 240_000 });
    return { code: r.code, out: r.stdout + r.stderr };
  };
  const state = (): State => JSON.parse(readFileSync(join(dir, '.mfile', 'state.json'), 'utf8')) as State;

  beforeAll(async () => {
    ensureBuilt();
    h = harness(testStateDir('generic-servers'), [sandboxSpec('a', { driverOptions: SUBNET }), sandboxSpec('b', { driverOptions: SUBNET })]);
    await Promise.all([h.run('a', 'create'), h.run('b', 'create')]);
    await closeSshPool();
    dir = dirname(testStateDir('generic-project'));
  }, 300_000);

  afterAll(async () => {
    await closeSshPool();
    for (const m of ['a', 'b']) {
      const r = h?.state.machines[m];
      if (r) await sandboxDriver().remove({ machine: h.desired.machines[m], driverData: r.driverData, ctx: { stateDir: h.stateDir, project: 'test' } }).catch(() => undefined);
    }
    if (h) rmSync(dirname(h.stateDir), { recursive: true, force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('a generic machine moved to another server is cleaned up on the old one, and the new one is only met by first contact', () => {
    write(generic('g', 'a', { uninstall: true }));
    const first = apply();
    expect(first.code, first.out).toBe(0);
    expect(state().machines.g.hostKeyFingerprint).toBe(h.state.machines.a.hostKeyFingerprint);
    expect(existsSync(etcDocker('a', 'mfile', 'server.pem'))).toBe(true);
    // The new server already holds mfile's folder (its own provisioning): a cleanup run there would remove it.
    writeFileSync(etcDocker('b', 'mfile', 'keep-me'), 'b\n');

    write(generic('g', 'b', { uninstall: true }));
    const second = apply();
    expect(second.code, second.out).toBe(0);
    expect(second.out).toMatch(/machine\.g.*replace|replac.*machine\.g/i);
    // The old server lost mfile's daemon configuration...
    expect(existsSync(etcDocker('a', 'mfile'))).toBe(false);
    expect(existsSync(etcDocker('a', 'daemon.json'))).toBe(false);
    // ...and the new one was never cleaned up as if it were the old one.
    expect(readFileSync(etcDocker('b', 'mfile', 'keep-me'), 'utf8')).toBe('b\n');
    const g = state().machines.g;
    expect(g.ssh?.host).toBe(ip('b'));
    expect(g.hostKeyFingerprint).toBe(h.state.machines.b.hostKeyFingerprint);
  });

  it('a provisioning that fails after first contact keeps the pin; the next apply refuses a changed key', () => {
    // Precondition of the failure used here: no sudo on this box, so `sudo: true` fails the first command.
    expect(spawnSync('sh', ['-c', 'command -v sudo']).status, 'sudo is installed: this test needs it absent').not.toBe(0);
    const pinned = h.state.machines.a.hostKeyFingerprint!;
    write(generic('g', 'b', { uninstall: true }) + generic('p', 'a', { sudo: true }));
    const failed = apply();
    expect(failed.code, failed.out).toBe(1);
    expect(failed.out).toMatch(/sudo/);
    expect(state().machines.p).toMatchObject({ status: 'tainted', hostKeyFingerprint: pinned, ssh: { host: ip('a') } });

    // The server now offers another key (rebuilt, or someone in between).
    const hostKey = join(h.stateDir, 'machines', 'a', 'ssh_host_ed25519_key');
    execFileSync('sh', ['-c', `rm -f "$1"*; ssh-keygen -q -t ed25519 -N '' -f "$1"`, 'sh', hostKey]);
    write(generic('g', 'b', { uninstall: true }) + generic('p', 'a'));
    const refused = apply();
    expect(refused.code, refused.out).toBe(1);
    expect(refused.out).toContain(`p: host key changed: pinned ${pinned}, offered SHA256:`);
    expect(refused.out).toContain('mfile ssh-keys forget p');
    expect(state().machines.p.hostKeyFingerprint).toBe(pinned);

    // Accepting the new key on purpose works as documented.
    const forget = mfile(['ssh-keys', 'forget', 'p', '-f', join(dir, 'machines.yml')]);
    expect(forget.code, forget.stderr).toBe(0);
    const accepted = apply();
    expect(accepted.code, accepted.out).toBe(0);
    expect(state().machines.p).toMatchObject({ status: 'created', ssh: { host: ip('a') } });
    expect(state().machines.p.hostKeyFingerprint).not.toBe(pinned);
  });
});
