// The power verbs on a generic machine: stop and start act on the server's Docker service over the pinned SSH
// connection (here the dockerd provisioning supervises, as on hosts without systemd); status follows. A sandbox
// machine plays the server. Needs root, docker.io, openssh-server, tini, iproute2, iptables.
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SandboxData } from '../../src/drivers/sandbox/index.js';
import { sandboxDriver } from '../../src/drivers/sandbox/index.js';
import type { State } from '../../src/model/index.js';
import { closeSshPool } from '../../src/remote/ssh/pool.js';
import { readFileSync } from 'node:fs';
import { ensureBuilt, mfile } from '../helpers/cli.js';
import { describeNeeding, SANDBOX } from '../helpers/prerequisites.js';
import { harness, type Harness } from '../helpers/sandbox-run.js';
import { sandboxSpec, testStateDir } from '../helpers/sandbox.js';

describeNeeding(SANDBOX)('mfile stop, start, kill and restart on a generic machine', () => {
  let h: Harness;
  let dir = '';
  const run = (args: string[]) => mfile([args[0], '-f', join(dir, 'machines.yml'), ...args.slice(1)], { timeoutMs: 240_000 });
  const state = (): State => JSON.parse(readFileSync(join(dir, '.mfile', 'state.json'), 'utf8')) as State;
  const status = (): string => run(['status', 'g']).stdout.trim();

  beforeAll(async () => {
    ensureBuilt();
    h = harness(testStateDir('lc-generic-server'), [sandboxSpec('srv', { driverOptions: { subnet: '10.213.72.0/24' } })]);
    await h.run('srv', 'create');
    await closeSshPool();
    dir = dirname(testStateDir('lc-generic-project'));
    const ip = (h.state.machines.srv.driverData as unknown as SandboxData).ip;
    const key = join(h.stateDir, 'machines', 'srv', 'id_ed25519');
    writeFileSync(
      join(dir, 'machines.yml'),
      `version: 1\nproject: lcg\nmachines:\n  g:\n    driver: generic\n    generic: { host: "${ip}", user: root, identity_file: "${key}" }\n    engine: { install: never }\n` +
        'containers:\n  idle: { image: "mfile-demo/busybox:1", command: ["sleep", "3600"], machines: [g] }\n',
    );
    const r = run(['apply', '-y']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  }, 300_000);

  afterAll(async () => {
    await closeSshPool();
    const r = h?.state.machines.srv;
    if (r) await sandboxDriver().remove({ machine: h.desired.machines.srv, driverData: r.driverData, ctx: { stateDir: h.stateDir, project: 'test' } }).catch(() => undefined);
    if (h) rmSync(dirname(h.stateDir), { recursive: true, force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('stop stops the Docker service and holds the machine; status says Stopped', () => {
    expect(status()).toBe('Running');
    const r = run(['stop', 'g']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(status()).toBe('Stopped');
    expect(state().machines.g.hold?.verb).toBe('stop');
    // The server itself still answers: only its engine is down.
    const ssh = run(['ssh', 'g', '--', 'sh', '-c', 'test -S /var/run/docker.sock && docker version >/dev/null 2>&1 && echo up || echo down']);
    expect(ssh.stdout.trim()).toBe('down');
  });

  it('apply leaves it stopped; start starts the Docker service again and clears the hold', () => {
    const a = run(['apply', '-y']);
    expect(a.code, a.stdout + a.stderr).toBe(0);
    expect(status()).toBe('Stopped');
    const r = run(['start', 'g']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(status()).toBe('Running');
    expect(state().machines.g.hold).toBeUndefined();
  });

  it('kill stops dockerd at once and holds the machine; restart brings it back and clears the hold', () => {
    const k = run(['kill', 'g']);
    expect(k.code, k.stdout + k.stderr).toBe(0);
    expect(status()).toBe('Stopped');
    expect(state().machines.g.hold?.verb).toBe('kill');
    const r = run(['restart', 'g']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(status()).toBe('Running');
    expect(state().machines.g.hold).toBeUndefined();
  });

  it('rm of a held machine is refused in one line naming it and mfile start; after start it removes the machine and its container', () => {
    expect(run(['stop', 'g']).code).toBe(0);
    const refused = run(['rm', 'g', '-y']);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Error: g is held stopped by 'mfile stop' at .*: its engine must run to remove what mfile runs on it; run 'mfile start g' first$/)]);
    expect(state().machines.g.hold?.verb).toBe('stop');
    expect(Object.keys(state().objects)).toContain('container.idle[g]');
    expect(run(['start', 'g']).code).toBe(0);
    const rm = run(['rm', 'g', '-y']);
    expect(rm.code, rm.stdout + rm.stderr).toBe(0);
    expect(state().machines.g).toBeUndefined();
    expect(Object.keys(state().objects)).toEqual([]);
  });
});
