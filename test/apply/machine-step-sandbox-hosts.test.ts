// Harness, not end to end: the machine step (create / update / delete) run directly on three sandbox machines,
// with an in-memory state and no CLI, executor, state file or lock (test/e2e/hosts-cli.test.ts drives the same
// through the built CLI). It sees what the CLI cannot: checkpoints (pending before create) and step events.
// Needs root, docker.io, openssh-server, tini, iproute2, iptables.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeNeeding, SANDBOX } from '../helpers/prerequisites.js';
import { sandboxDriver } from '../../src/drivers/sandbox/index.js';
import { alive, pidsInPidNs } from '../../src/drivers/sandbox/processes.js';
import { killPids, machinePids } from '../helpers/machine-processes.js';
import type { SandboxData } from '../../src/drivers/sandbox/index.js';
import { closeSshPool, sshPool } from '../../src/remote/ssh/pool.js';
import { sshArgv } from '../../src/remote/ssh/ssh-helpers.js';
import { clientCertPaths } from '../../src/remote/tls/store.js';
import { harness, type Harness } from '../helpers/sandbox-run.js';
import { sandboxSpec, testStateDir } from '../helpers/sandbox.js';

const SUBNET = { subnet: '10.213.41.0/24' };

const NAMES = ['h1', 'h2', 'h3'];

describeNeeding(SANDBOX)('harness: the machine step on three sandbox machines', () => {
  let h: Harness;
  const pidsSeen = new Set<number>();

  const data = (m: string) => h.state.machines[m].driverData as unknown as SandboxData;
  const docker = (m: string, args: string[], withClientCert = true) => {
    const c = clientCertPaths(h.stateDir);
    const tls = withClientCert ? ['--tlscert', c.cert, '--tlskey', c.key] : [];
    return spawnSync('docker', ['--tlsverify', '--tlscacert', c.ca, ...tls, '-H', `tcp://${data(m).ip}:2376`, ...args], {
      encoding: 'utf8',
      env: { ...process.env, DOCKER_CONFIG: join(h.stateDir, 'docker-cli') },
      timeout: 30_000,
    });
  };
  const dockerdPid = async (m: string) => {
    const s = await sshPool().get({ machine: m, address: h.state.machines[m].ssh!, pinnedFingerprint: h.state.machines[m].hostKeyFingerprint });
    return Number((await s.exec(['cat', '/var/run/docker.pid'])).stdout.trim());
  };
  const remember = () => {
    for (const m of Object.keys(h.state.machines)) {
      const d = data(m);
      if (d.initPid) pidsInPidNs(d.initPid).forEach((p) => pidsSeen.add(p));
      if (d.outerPid) pidsSeen.add(d.outerPid);
    }
  };

  beforeAll(() => {
    // A subnet (and so a bridge) of this test's own: other sandbox machines on this box keep the shared one alive.
    h = harness(testStateDir('hosts'), NAMES.map((n) => sandboxSpec(n, { driverOptions: SUBNET })));
  });

  afterAll(async () => {
    await closeSshPool();
    // Best effort if a test failed halfway: never leave namespaces behind.
    for (const m of Object.keys(h.state.machines)) {
      await sandboxDriver()
        .remove({ machine: h.desired.machines[m], driverData: h.state.machines[m].driverData, ctx: { stateDir: h.stateDir, project: 'test' } })
        .catch(() => undefined);
    }
    rmSync(dirname(h.stateDir), { recursive: true, force: true });
  });

  it('creates and provisions three machines concurrently', async () => {
    const recs = await Promise.all(NAMES.map((n) => h.run(n, 'create')));
    for (const [i, r] of recs.entries()) {
      expect(r).toMatchObject({ name: NAMES[i], driver: 'sandbox', status: 'created' });
      expect(r!.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      expect(r!.engineUrl).toBe(`tcp://${data(NAMES[i]).ip}:2376`);
      expect(r!.dockerVersion).toMatch(/^20\./);
      expect(r!.engineHash).toMatch(/^[0-9a-f]{64}$/);
    }
    // Each machine was recorded as pending before its driver create ran.
    for (const n of NAMES) expect(h.checkpoints.find((c) => c.name === n)?.status).toBe('pending');
    expect(new Set(NAMES.map((n) => data(n).ip)).size).toBe(3);
    expect(h.events.filter((e) => e.startsWith('provision:')).every((e) => NAMES.some((n) => e.includes(n)))).toBe(true);
    remember();
  });

  it('serves mutual TLS: the docker CLI works with the client cert and is refused without it', () => {
    for (const n of NAMES) {
      const ok = docker(n, ['version', '--format', '{{.Server.Version}}']);
      expect(ok.stderr).toBe('');
      expect(ok.stdout.trim()).toMatch(/^20\./);
      const info = docker(n, ['info', '--format', '{{.Name}}']);
      expect(info.stdout.trim()).toBe(n); // its own hostname: each daemon is its own host
      const refused = docker(n, ['version', '--format', '{{.Server.Version}}'], false);
      expect(refused.status).not.toBe(0);
      expect(refused.stdout.trim()).toBe('');
    }
  });

  it('the ssh argv that mfile ssh runs reaches the machine with the pinned key', () => {
    const out = execFileSync(sshArgv(h.state.machines.h2, h.stateDir)[0], sshArgv(h.state.machines.h2, h.stateDir, ['sh', '-c', 'hostname; echo "$0"', '$(x) `y`;z']).slice(1), {
      encoding: 'utf8',
    });
    expect(out).toBe('h2\n$(x) `y`;z\n');
  });

  it('a second provisioning run changes nothing and does not restart dockerd', async () => {
    const before = await Promise.all(NAMES.map(dockerdPid));
    const recs = await Promise.all(NAMES.map((n) => h.run(n, 'update')));
    for (const r of recs) expect(r!.status).toBe('created');
    expect(await Promise.all(NAMES.map(dockerdPid))).toEqual(before);
    // The only writes are the first run's three; no restart at all.
    expect(h.events.filter((e) => e.includes('writing daemon.json')).length).toBe(3);
    expect(h.events.filter((e) => e.includes('restarting dockerd')).length).toBe(0);
  });

  it('an engine label change restarts only that machine’s daemon, once', async () => {
    const before = await Promise.all(NAMES.map(dockerdPid));
    h.desired.machines.h2 = sandboxSpec('h2', { engine: { labels: { role: 'db' } }, driverOptions: SUBNET });
    await Promise.all(NAMES.map((n) => h.run(n, 'update')));
    const after = await Promise.all(NAMES.map(dockerdPid));
    expect(after[0]).toBe(before[0]);
    expect(after[2]).toBe(before[2]);
    expect(after[1]).not.toBe(before[1]);
    expect(docker('h2', ['info', '--format', '{{.Labels}}']).stdout).toContain('role=db');
    expect(h.events.filter((e) => e.includes('h2: restarting dockerd')).length).toBe(1);
    await h.run('h2', 'update');
    expect(await dockerdPid('h2')).toBe(after[1]);
    remember();
  });

  it('a machine whose sshd is dead fails with an error naming it', async () => {
    const d = data('h3');
    const sshd = machinePids(d.initPid!, 'sshd');
    expect(sshd.length).toBeGreaterThan(0);
    killPids(sshd, 'SIGKILL');
    await closeSshPool();
    process.env.MFILE_SSH_TIMEOUT = '3';
    try {
      await expect(h.run('h3', 'update')).rejects.toThrow(/^h3: SSH to root@10\.213\.41\.\d+:22 did not answer within 3s/);
    } finally {
      delete process.env.MFILE_SSH_TIMEOUT;
    }
    expect((await sandboxDriver().status({ machine: h.desired.machines.h3, driverData: h.state.machines.h3.driverData, ctx: { stateDir: h.stateDir, project: 'test' } })).status).toBe('error');
  });

  it('a changed host key is refused, showing both fingerprints', async () => {
    const dir = join(h.stateDir, 'machines', 'h1');
    const pinned = h.state.machines.h1.hostKeyFingerprint!;
    // sshd re-executes for every connection and so offers the new key from the next login on.
    execFileSync('sh', ['-c', `rm -f "$1"*; ssh-keygen -q -t ed25519 -N '' -f "$1"`, 'sh', join(dir, 'ssh_host_ed25519_key')]);
    await closeSshPool();
    const err = await h.run('h1', 'update').then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/^h1: host key changed: pinned SHA256:\S+, offered SHA256:\S+\./);
    expect(err?.message).toContain(pinned);
    expect(err?.message).toContain('mfile ssh-keys forget h1');
  });

  it('destroy leaves no namespace, mount, process, bridge or FORWARD rule', async () => {
    remember();
    const netns = NAMES.map((n) => data(n).netns);
    const bridge = data('h1').bridge;
    await Promise.all(NAMES.map((n) => h.run(n, 'delete')));
    expect(Object.keys(h.state.machines)).toEqual([]);
    const nsList = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    for (const ns of netns) expect(nsList).not.toContain(ns);
    expect(readFileSync('/proc/mounts', 'utf8')).not.toContain(h.stateDir);
    expect([...pidsSeen].filter(alive)).toEqual([]);
    expect(existsSync(`/sys/class/net/${bridge}`)).toBe(false);
    expect(execFileSync('iptables', ['-S', 'FORWARD'], { encoding: 'utf8' })).not.toContain(bridge);
    expect(existsSync(join(h.stateDir, 'machines', 'h1'))).toBe(false);
  });
});
