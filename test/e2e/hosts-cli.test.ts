// Sandbox hosts as a user drives them with the built CLI: `mfile apply` creates and provisions two machines,
// `mfile ssh` runs commands on them, the docker CLI reaches them through `mfile env`, `regenerate-certs` rotates
// one server certificate, a changed host key is refused until `mfile ssh-keys forget`, a dead sshd is named, and
// `mfile destroy` leaves nothing behind. Needs root, docker.io, openssh-server, tini, iproute2, iptables.
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeNeeding, SANDBOX } from '../helpers/prerequisites.js';
import type { SandboxData } from '../../src/drivers/sandbox/index.js';
import { alive, pidsInPidNs } from '../../src/drivers/sandbox/processes.js';
import { ensureBuilt } from '../helpers/cli.js';
import { cliProject, type CliProject } from '../helpers/cli-project.js';
import { killPids, machinePids } from '../helpers/machine-processes.js';

const NAMES = ['h1', 'h2'];

function config(labels: { h1?: string; h2?: string } = {}): string {
  const engine = (role?: string) => (role ? `, engine: { labels: { role: ${role} } }` : '');
  return `version: 1
project: hostscli
machines:
  h1: { driver: sandbox, sandbox: { subnet: 10.213.51.0/24 }${engine(labels.h1)} }
  h2: { driver: sandbox, sandbox: { subnet: 10.213.51.0/24 }${engine(labels.h2)} }
`;
}

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describeNeeding(SANDBOX)('sandbox hosts through the CLI', () => {
  let p: CliProject;
  const pidsSeen = new Set<number>();
  const data = (m: string): SandboxData => p.state().machines[m].driverData as unknown as SandboxData;
  const machineDir = (m: string): string => path.join(p.dir, '.mfile/machines', m);
  /** The fingerprint a user gets from `ssh-keygen -lf` for a public key file. */
  const fingerprintOf = (pub: string): string => execFileSync('ssh-keygen', ['-lf', pub], { encoding: 'utf8' }).split(' ')[1];
  const dockerdPid = (m: string): string => {
    const r = p.run(['ssh', m, '--', 'cat', '/var/run/docker.pid'], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    return r.stdout.trim();
  };
  /** The certificate the machine's daemon serves on :2376, read over a verified mutual-TLS handshake. */
  const servedCert = (m: string): Promise<X509Certificate> => {
    const certs = path.join(p.dir, '.mfile/certs');
    return new Promise((resolve, reject) => {
      const s = tls.connect({
        host: data(m).ip,
        port: 2376,
        ca: readFileSync(path.join(certs, 'ca.pem')),
        cert: readFileSync(path.join(certs, 'cert.pem')),
        key: readFileSync(path.join(certs, 'key.pem')),
      });
      s.once('secureConnect', () => {
        resolve(new X509Certificate(s.getPeerCertificate().raw));
        s.end();
      });
      s.once('error', reject);
    });
  };
  const remember = (): void => {
    for (const m of Object.keys(p.state().machines)) {
      const d = data(m);
      if (d.initPid) pidsInPidNs(d.initPid).forEach((pid) => pidsSeen.add(pid));
      if (d.outerPid) pidsSeen.add(d.outerPid);
    }
  };

  beforeAll(() => {
    ensureBuilt();
    p = cliProject('hostscli');
    p.write(config());
  });

  afterAll(() => {
    if (existsSync(p.stateFile) && Object.keys(p.state().machines).length) p.run(['destroy', '-y']);
  });

  it('apply creates and provisions both machines and pins the host key each one offers', () => {
    const r = p.run(['apply', '-y']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('Apply complete!');
    const s = p.state();
    expect(Object.keys(s.machines).sort()).toEqual(NAMES);
    for (const m of NAMES) {
      expect(s.machines[m]).toMatchObject({ name: m, driver: 'sandbox', status: 'created', engineUrl: `tcp://${data(m).ip}:2376` });
      expect(s.machines[m].hostKeyFingerprint).toBe(fingerprintOf(path.join(machineDir(m), 'ssh_host_ed25519_key.pub')));
    }
    expect(data('h1').ip).not.toBe(data('h2').ip);
    remember();
  });

  it('mfile ssh NAME -- CMD runs the command on that machine with its arguments intact', () => {
    const r = p.run(['ssh', 'h2', '--', 'sh', '-c', 'hostname; echo "$0"', '$(x) `y`;z'], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('h2\n$(x) `y`;z\n');
  });

  it('the docker CLI reaches each machine through mfile env and is refused without the client certificate', () => {
    for (const m of NAMES) {
      const info = p.docker(m, ['info', '--format', '{{.Name}}']);
      expect(info.status, info.stderr).toBe(0);
      expect(info.stdout.trim()).toBe(m); // its own hostname: each daemon is its own host
      // TLS with the right CA but no client certificate of its own (an empty DOCKER_CONFIG: no default one either)
      const noCert = spawnSync('docker', ['--tlsverify', '--tlscacert', path.join(p.dir, '.mfile/certs/ca.pem'), '-H', p.state().machines[m].engineUrl!, 'version'], {
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, DOCKER_CONFIG: path.join(p.dir, 'no-docker-config'), DOCKER_CERT_PATH: '', DOCKER_TLS_VERIFY: '' },
      });
      expect(noCert.status).not.toBe(0);
      expect(noCert.stderr).toMatch(/certificate|tls|handshake/i);
    }
  });

  it('a second apply prints "No changes." and restarts no daemon', () => {
    const before = NAMES.map(dockerdPid);
    const r = p.run(['apply', '-y']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('No changes.');
    expect(NAMES.map(dockerdPid)).toEqual(before);
  });

  it('regenerate-certs serves a new server certificate, restarts that daemon once, and the docker CLI still works', async () => {
    const before = await servedCert('h1');
    const otherBefore = (await servedCert('h2')).fingerprint256;
    const pids = { h1: dockerdPid('h1'), h2: dockerdPid('h2') };
    const r = p.run(['regenerate-certs', 'h1', '-y']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('server certificate rotated (regenerate-certs) - daemon restart');
    expect((r.stdout + r.stderr).match(/restarting dockerd/g)).toHaveLength(1);
    const after = await servedCert('h1');
    expect(after.fingerprint256).not.toBe(before.fingerprint256);
    expect(after.serialNumber).not.toBe(before.serialNumber);
    expect(after.fingerprint256).toBe(new X509Certificate(readFileSync(path.join(machineDir('h1'), 'server.pem'))).fingerprint256);
    expect(dockerdPid('h1')).not.toBe(pids.h1);
    expect(dockerdPid('h2')).toBe(pids.h2);
    expect((await servedCert('h2')).fingerprint256).toBe(otherBefore);
    const v = p.docker('h1', ['version', '--format', '{{.Server.Version}}']);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+/);
    remember();
  });

  it('after a host key change apply refuses; after ssh-keys forget it accepts and pins the new key', () => {
    const pinned = p.state().machines.h1.hostKeyFingerprint!;
    const hostKey = path.join(machineDir('h1'), 'ssh_host_ed25519_key');
    // sshd re-executes for every connection and so offers the new key from the next login on.
    execFileSync('sh', ['-c', `rm -f "$1"*; ssh-keygen -q -t ed25519 -N '' -f "$1"`, 'sh', hostKey]);
    const offered = fingerprintOf(`${hostKey}.pub`);
    p.write(config({ h1: 'web' })); // a change that makes apply log in to h1

    const refused = p.run(['apply', '-y']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`h1: host key changed: pinned ${esc(pinned)}, offered ${esc(offered)}\\.`));
    expect(refused.stderr).toContain('mfile ssh-keys forget h1');
    expect(p.state().machines.h1.hostKeyFingerprint).toBe(pinned);
    const ssh = p.run(['ssh', 'h1', '--', 'true'], { timeoutMs: 30_000 });
    expect(ssh.code).toBe(255);
    expect(ssh.stderr).toMatch(/Host key verification failed/);

    const forget = p.run(['ssh-keys', 'forget', 'h1']);
    expect(forget.code, forget.stderr).toBe(0);
    expect(p.state().machines.h1.hostKeyFingerprint).toBeUndefined();
    const r = p.run(['apply', '-y']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(p.state().machines.h1.hostKeyFingerprint).toBe(offered);
    expect(p.run(['ssh', 'h1', '--', 'hostname'], { timeoutMs: 30_000 }).stdout).toBe('h1\n');
    expect(p.docker('h1', ['info', '--format', '{{json .Labels}}']).stdout).toContain('role=web');
    remember();
  });

  it('a machine whose sshd is dead fails the apply with an error naming it', () => {
    const sshd = machinePids(data('h2').initPid!, 'sshd');
    expect(sshd.length).toBeGreaterThan(0);
    killPids(sshd, 'SIGKILL');
    p.write(config({ h1: 'web', h2: 'db' }));
    const r = p.run(['apply', '-y'], { env: { MFILE_SSH_TIMEOUT: '3' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/h2: SSH to root@10\.213\.51\.\d+:22 did not answer within 3s/);
    const ls = p.run(['ls']);
    expect(ls.stdout).toMatch(/^h2\s+sandbox\s+error\b/m);
    expect(ls.stdout).toMatch(/^h1\s+sandbox\s+running\b/m);
  });

  it('destroy leaves no namespace, mount, process, bridge, FORWARD rule or machine folder', () => {
    remember();
    const netns = NAMES.map((m) => data(m).netns);
    const bridge = data('h1').bridge;
    const r = p.run(['destroy', '-y']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(p.state().machines).toEqual({});
    const nsList = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    for (const ns of netns) expect(nsList).not.toContain(ns);
    expect(readFileSync('/proc/mounts', 'utf8')).not.toContain(p.dir);
    expect([...pidsSeen].filter(alive)).toEqual([]);
    expect(existsSync(`/sys/class/net/${bridge}`)).toBe(false);
    expect(execFileSync('iptables', ['-S', 'FORWARD'], { encoding: 'utf8' })).not.toContain(bridge);
    for (const m of NAMES) expect(existsSync(machineDir(m))).toBe(false);
  });
});
