// `mfile import docker-machine` against a store made by the real docker-machine 0.16.2 (`create -d none`) and a
// real dockerd serving mutual TLS with a server certificate signed by that store's CA: after the import the
// docker CLI reaches it through `mfile env`, plan shows no change, ls lists it, and the store is unchanged.
// The generic machine's config.json is hand-written in Docker Machine's format (the shape the real `none`
// store shows, with the generic driver's fields): `create -d generic` needs a host it can fully provision.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServerCert } from '../../src/remote/tls/certs.js';
import { DOCKER_MACHINE_SOURCE, dockerMachineBinary, GO } from '../helpers/docker-machine/binaries.js';
import { ensureBuilt, mfile } from '../helpers/cli.js';
import { describeNeeding, DOCKERD, IP, ROOT } from '../helpers/prerequisites.js';
import { createTestBridge, type TestBridge } from '../helpers/test-bridge.js';

const ENGINE_IP = '10.213.120.1';
const ENGINE_PORT = 2376;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** sha256 of every file under dir, by relative path, with its mode: any write to the store changes it. */
function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const st = statSync(p);
      if (e.isDirectory()) {
        out[`${path.relative(dir, p)}/`] = (st.mode & 0o7777).toString(8);
        walk(p);
      } else out[path.relative(dir, p)] = `${(st.mode & 0o7777).toString(8)} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
    }
  };
  walk(dir);
  return out;
}

/** Docker Machine's config.json for a generic machine, in the format the real store writes. */
function genericConfig(store: string, name: string): string {
  const m = path.join(store, 'machines', name);
  const dm = JSON.parse(readFileSync(path.join(store, 'machines/dm1/config.json'), 'utf8')) as Record<string, any>;
  dm.Driver = {
    IPAddress: ENGINE_IP, MachineName: name, SSHUser: 'ubuntu', SSHPort: 2222, SSHKeyPath: path.join(m, 'id_rsa'),
    StorePath: store, SwarmMaster: false, SwarmHost: '', SwarmDiscovery: '', EnginePort: ENGINE_PORT, SSHKey: '/home/u/.ssh/id_rsa',
  };
  dm.DriverName = 'generic';
  dm.Name = name;
  Object.assign(dm.HostOptions.AuthOptions, {
    ServerCertPath: path.join(m, 'server.pem'), ServerKeyPath: path.join(m, 'server-key.pem'), StorePath: m,
  });
  return JSON.stringify(dm, null, 4);
}

describeNeeding([ROOT, DOCKERD, IP, GO, DOCKER_MACHINE_SOURCE])('mfile import docker-machine (real docker-machine store, real dockerd)', () => {
  const dir = mkdtempSync('/tmp/mfdm-');
  const store = path.join(dir, 'store');
  const project = path.join(dir, 'proj');
  const cliEnv = { ...process.env, DOCKER_CONFIG: path.join(dir, 'docker-cli') };
  let dockerd: ChildProcess | null = null;
  let bridge: TestBridge | null = null;
  let before: Record<string, string> = {};

  beforeAll(async () => {
    ensureBuilt();
    const dm = dockerMachineBinary();
    execFileSync(dm, ['--storage-path', store, 'create', '-d', 'none', '--url', `tcp://${ENGINE_IP}:${ENGINE_PORT}`, 'dm1'], { stdio: 'ignore', timeout: 60_000 });
    // A generic machine as Docker Machine's provisioner leaves it: its certificates copied into its folder.
    const g = path.join(store, 'machines/gen1');
    mkdirSync(g, { mode: 0o700 });
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) copyFileSync(path.join(store, 'certs', f), path.join(g, f));
    writeFileSync(path.join(g, 'id_rsa'), 'not used by the import\n', { mode: 0o600 });
    writeFileSync(path.join(g, 'config.json'), genericConfig(store, 'gen1'));

    // The engine: a dockerd of the test's own on ENGINE_IP, serving mutual TLS with a certificate from the store's CA.
    const ca = { certPem: readFileSync(path.join(store, 'certs/ca.pem'), 'utf8'), keyPem: readFileSync(path.join(store, 'certs/ca-key.pem'), 'utf8') };
    const server = await createServerCert(ca, 'dm1', [ENGINE_IP]);
    const tls = path.join(dir, 'tls');
    mkdirSync(tls, { mode: 0o700 });
    writeFileSync(path.join(tls, 'ca.pem'), ca.certPem);
    writeFileSync(path.join(tls, 'server.pem'), server.certPem);
    writeFileSync(path.join(tls, 'server-key.pem'), server.keyPem, { mode: 0o600 });
    bridge = createTestBridge();
    execFileSync('ip', ['addr', 'add', `${ENGINE_IP}/32`, 'dev', bridge.name]);
    const sock = `unix://${dir}/d.sock`;
    writeFileSync(path.join(dir, 'daemon.json'), '{}');
    dockerd = spawn('dockerd', ['--config-file', path.join(dir, 'daemon.json'), '--data-root', path.join(dir, 'data'),
      '--exec-root', path.join(dir, 'exec'), '--pidfile', path.join(dir, 'pid'), '--iptables=false', '--ip6tables=false',
      `--bridge=${bridge.name}`, '-H', sock, '-H', `tcp://${ENGINE_IP}:${ENGINE_PORT}`, '--tlsverify',
      '--tlscacert', path.join(tls, 'ca.pem'), '--tlscert', path.join(tls, 'server.pem'), '--tlskey', path.join(tls, 'server-key.pem')], { stdio: 'ignore' });
    const deadline = Date.now() + 60_000;
    while (spawnSync('docker', ['-H', sock, 'version'], { env: cliEnv, timeout: 10_000 }).status !== 0) {
      if (dockerd.exitCode !== null) throw new Error(`dockerd exited with ${dockerd.exitCode}`);
      if (Date.now() > deadline) throw new Error('dockerd did not answer on its socket within 60 s');
      await sleep(200);
    }
    mkdirSync(project);
    writeFileSync(path.join(project, 'machines.yml'), '# the shop\nversion: 1\nproject: dmimport\nmachines:\n  web: # kept\n    driver: local\n');
    before = hashTree(store);
  }, 300_000);

  afterAll(async () => {
    const c = dockerd;
    if (c && c.exitCode === null && c.signalCode === null) {
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await exited;
    }
    bridge?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports dm1 so that mfile env + docker reach its engine, plan shows no change and ls lists it', () => {
    const r = mfile(['import', 'docker-machine', '--store', store, 'dm1'], { cwd: project });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`dm1: driver none at tcp://${ENGINE_IP}:${ENGINE_PORT}, keeps Docker Machine's CA`);

    const yml = readFileSync(path.join(project, 'machines.yml'), 'utf8');
    expect(yml).toContain('# the shop');
    expect(yml).toContain('# kept');
    expect(yml).toContain(`# imported from Docker Machine store ${store}\n  dm1:`);

    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) {
      expect(readFileSync(path.join(project, '.mfile/machines/dm1', f), 'utf8')).toBe(readFileSync(path.join(store, 'certs', f), 'utf8'));
    }
    expect(statSync(path.join(project, '.mfile/machines/dm1/key.pem')).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.join(project, '.mfile/machines/dm1')).sort()).toEqual(['ca.pem', 'cert.pem', 'key.pem']); // no CA key

    const env = mfile(['env', 'dm1'], { cwd: project });
    expect(env.code).toBe(0);
    const vars = Object.fromEntries([...env.stdout.matchAll(/^export (\w+)='?([^'\n]*)'?$/gm)].map((m) => [m[1], m[2]]));
    expect(vars.DOCKER_HOST).toBe(`tcp://${ENGINE_IP}:${ENGINE_PORT}`);
    const v = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { env: { ...cliEnv, ...vars }, encoding: 'utf8', timeout: 30_000 });
    expect(v.stderr).toBe('');
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+/);

    const plan = mfile(['plan', '--detailed-exitcode', '--target', 'machine.dm1'], { cwd: project });
    expect(plan.stdout).toContain('No changes.');
    expect(plan.code).toBe(0);

    const ls = mfile(['ls'], { cwd: project });
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(new RegExp(`^dm1\\s+none \\(Docker Machine CA\\)\\s+running\\s+tcp://${ENGINE_IP.replace(/\./g, '\\.')}:${ENGINE_PORT}`, 'm'));
    expect(hashTree(store)).toEqual(before);
  });

  it('imports a generic machine as none at its engine port, naming its driver and SSH address', () => {
    const r = mfile(['import', 'docker-machine', '--store', store, 'gen1'], { cwd: project });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Docker Machine driver generic imported as none');
    const yml = readFileSync(path.join(project, 'machines.yml'), 'utf8');
    expect(yml).toContain(`Docker Machine driver generic (SSH ubuntu@${ENGINE_IP}:2222 key ${store}/machines/gen1/id_rsa)`);
    expect(statSync(path.join(project, '.mfile/machines/gen1/key.pem')).mode & 0o777).toBe(0o600);
    const plan = mfile(['plan', '--detailed-exitcode', '--target', 'machine.dm1', '--target', 'machine.gen1'], { cwd: project });
    expect(plan.stdout).toContain('No changes.');
    expect(plan.code).toBe(0);
    expect(hashTree(store)).toEqual(before);
  });

  it('refuses a name the store does not have, and one already imported, in one line naming the file', () => {
    const missing = mfile(['import', 'docker-machine', '--store', store, 'nope'], { cwd: project });
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(`Error: ${store}/machines/nope/config.json: no machine named nope in the store (it has: dm1, gen1)`);
    const again = mfile(['import', 'docker-machine', '--store', store, 'dm1'], { cwd: project });
    expect(again.code).toBe(1);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toContain('machine dm1 is already');
    expect(hashTree(store)).toEqual(before);
  });
});
