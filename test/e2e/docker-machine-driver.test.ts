// Docker Machine driver binaries as mfile drivers, through the built CLI: `driver: docker-machine:generic` runs
// Docker Machine 0.16.2's own generic driver (the docker-machine binary, linked on a test PATH as
// docker-machine-driver-generic) against a sandbox host; mfile provisions Docker there with its own SSH and mutual
// TLS and runs a container; destroy removes it through the plugin. The Go fault plugin then panics, dies and hangs
// in Create: one line naming the plugin and the machine, exit 1, a valid state, and the next apply converges.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SandboxData } from '../../src/drivers/sandbox/index.js';
import { sandboxDriver } from '../../src/drivers/sandbox/index.js';
import { closeSshPool } from '../../src/remote/ssh/pool.js';
import { DOCKER_MACHINE_SOURCE, GO, dockerMachineBinary, faultPluginBinary } from '../helpers/docker-machine/binaries.js';
import { ensureBuilt, REPO_ROOT } from '../helpers/cli.js';
import { cliProject, type CliProject } from '../helpers/cli-project.js';
import { ensureTestImages, TEST_IMAGE } from '../helpers/image.js';
import { describeNeeding, SANDBOX } from '../helpers/prerequisites.js';
import { harness, type Harness } from '../helpers/sandbox-run.js';
import { sandboxSpec, testStateDir } from '../helpers/sandbox.js';

const CONFIG_FILE = 'docker-machine-driver.json';
const savedPath = process.env.PATH ?? '';
let h: Harness | undefined;
let bin = '';
let ip = '';
let key = '';
/** The test PATH: the plugins first. `mfile env` (behind p.docker) runs with this process's environment. */
const withPlugins = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ PATH: `${bin}:${savedPath}`, ...extra });

/** A command on the sandbox host over its own SSH key (not through mfile). */
function onHost(command: string): string {
  const r = spawnSync('ssh', ['-i', key, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'BatchMode=yes', `root@${ip}`, command], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status !== 0) throw new Error(`ssh ${command}: ${r.stderr}`);
  return r.stdout;
}

/** The lines of stderr that name the plugin. */
const pluginLines = (stderr: string, plugin: string): string[] => stderr.split('\n').filter((l) => l.includes(plugin));

beforeAll(async () => {
  if (SANDBOX.some((p) => !p.present()) || !GO.present() || !DOCKER_MACHINE_SOURCE.present()) return;
  ensureBuilt();
  ensureTestImages();
  mkdirSync(join(REPO_ROOT, '.test-work'), { recursive: true, mode: 0o700 });
  bin = mkdtempSync(join(REPO_ROOT, '.test-work', 'dm-bin-'));
  symlinkSync(dockerMachineBinary(), join(bin, 'docker-machine-driver-generic'));
  symlinkSync(faultPluginBinary(), join(bin, 'docker-machine-driver-mfilefault'));
  process.env.PATH = `${bin}:${savedPath}`;
  h = harness(testStateDir('dm-driver-server'), [sandboxSpec('dmsrv', { driverOptions: { subnet: '10.213.190.0/24' } })]);
  await h.run('dmsrv', 'create');
  await closeSshPool();
  ip = (h.state.machines.dmsrv.driverData as unknown as SandboxData).ip;
  key = join(h.stateDir, 'machines', 'dmsrv', 'id_ed25519');
}, 300_000);

afterAll(async () => {
  process.env.PATH = savedPath;
  await closeSshPool();
  const r = h?.state.machines.dmsrv;
  if (h && r) await sandboxDriver().remove({ machine: h.desired.machines.dmsrv, driverData: r.driverData, ctx: { stateDir: h.stateDir, project: 'test' } }).catch(() => undefined);
  if (h) rmSync(dirname(h.stateDir), { recursive: true, force: true });
  if (bin) rmSync(bin, { recursive: true, force: true });
}, 120_000);

describeNeeding([...SANDBOX, GO, DOCKER_MACHINE_SOURCE])("Docker Machine's generic driver as driver: docker-machine:generic", () => {
  let p: CliProject;
  const config = (): string => `version: 1
project: dmgen
machines:
  g:
    driver: docker-machine:generic
    docker-machine:
      generic-ip-address: ${ip}
      generic-ssh-key: ${key}
    engine: { install: never }
containers:
  web:
    machine: g
    image: ${TEST_IMAGE}
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    stop_grace_period: 1s
`;
  const machineDir = (): string => join(p.dir, '.mfile/machines/g');

  beforeAll(() => {
    p = cliProject('dm-generic');
    p.write(config());
  });

  afterAll(() => {
    if (existsSync(p.stateFile) && p.state().machines.g) p.run(['destroy', '-y'], { env: withPlugins() });
    rmSync(p.dir, { recursive: true, force: true });
  });

  it('names the missing binary at the machine when it is not on PATH, and makes nothing', () => {
    const r = p.run(['apply', '-y'], { env: { PATH: savedPath } });
    expect(r.stderr.trim()).toBe("machines.yml:5:13: machines.g.driver: driver 'docker-machine:generic': no docker-machine-driver-generic on PATH");
    expect(r.code).toBe(1);
    expect(p.state().machines.g).toBeUndefined();
  });

  it('apply creates the machine through the plugin, provisions Docker with mfile TLS and runs the container', () => {
    const r = p.run(['apply', '-y'], { env: withPlugins() });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const m = p.state().machines.g;
    // The SSH endpoint and key are what the plugin reported (GetSSHHostname, ..., GetSSHKeyPath: the key it copied).
    expect(m).toMatchObject({
      driver: 'docker-machine:generic',
      status: 'created',
      engineUrl: `tcp://${ip}:2376`,
      driverData: { host: ip, port: 22, user: 'root', identityFile: join(machineDir(), 'id_ed25519') },
    });
    expect(readFileSync(join(machineDir(), 'id_ed25519'), 'utf8')).toBe(readFileSync(key, 'utf8'));
    // The driver's own config (GetConfigRaw) is kept beside it, private, and not in the state.
    const kept = JSON.parse(readFileSync(join(machineDir(), CONFIG_FILE), 'utf8')) as Record<string, unknown>;
    expect(kept).toMatchObject({ MachineName: 'g', IPAddress: ip, SSHKeyPath: join(machineDir(), 'id_ed25519'), StorePath: join(p.dir, '.mfile') });
    expect(statSync(join(machineDir(), CONFIG_FILE)).mode & 0o777).toBe(0o600);
    expect(readFileSync(p.stateFile, 'utf8')).not.toContain('SSHKeyPath');
    const ps = p.docker('g', ['ps', '--format', '{{.Names}} {{.Image}} {{.State}}']);
    expect(ps.stderr).toBe('');
    expect(ps.stdout.trim()).toBe(`dmgen-web ${TEST_IMAGE} running`);
    expect(p.docker('g', ['info', '-f', '{{.Name}}']).stdout.trim()).toBe('dmsrv');
  });

  it('a second apply changes nothing, and status asks the plugin', () => {
    const r = p.run(['plan', '--detailed-exitcode'], { env: withPlugins() });
    expect(r.stdout).toContain('No changes.');
    expect(r.code).toBe(0);
    expect(p.run(['status', 'g'], { env: withPlugins() }).stdout.trim()).toBe('Running');
  });

  it("passes the plugin's refusal of a power verb on in one line, and the machine stays as it was", () => {
    const r = p.run(['stop', 'g'], { env: withPlugins() });
    expect(pluginLines(r.stderr, 'docker-machine-driver-generic')).toEqual(['Error: g: docker-machine-driver-generic Stop: generic driver does not support stop']);
    expect(r.code).toBe(1);
    expect(p.state().machines.g.status).toBe('created');
    expect(p.docker('g', ['ps', '--format', '{{.Names}}']).stdout.trim()).toBe('dmgen-web');
  });

  it("destroy removes the container and the machine through the plugin's Remove, and its kept config", () => {
    const r = p.run(['destroy', '-y'], { env: withPlugins() });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(p.state().machines.g).toBeUndefined();
    expect(existsSync(join(machineDir(), CONFIG_FILE))).toBe(false);
    expect(onHost('docker ps -aq --filter label=io.mfile.project=dmgen').trim()).toBe('');
  });
});

describeNeeding([...SANDBOX, GO, DOCKER_MACHINE_SOURCE])('a Docker Machine plugin that fails in Create, through the CLI', () => {
  let p: CliProject;
  let removed = '';
  const PLUGIN = 'docker-machine-driver-mfilefault';
  const faultEnv = (fault: string | undefined, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv =>
    withPlugins({ MFILE_FAULT: fault ?? '', MFILE_FAULT_SSH_HOST: ip, MFILE_FAULT_SSH_KEY: key, MFILE_FAULT_REMOVED: removed, ...extra });

  beforeAll(() => {
    p = cliProject('dm-fault');
    removed = join(p.dir, 'removed.log');
    p.write('version: 1\nproject: dmfault\nmachines:\n  f:\n    driver: docker-machine:mfilefault\n    engine: { install: never }\n');
  });

  afterAll(() => {
    if (existsSync(p.stateFile) && p.state().machines.f) p.run(['destroy', '-y'], { env: faultEnv(undefined) });
    rmSync(p.dir, { recursive: true, force: true });
  });

  it.each([
    ['panic', {}, `f: ${PLUGIN} died (exit code 2) during Create: panic: boom in Create`],
    ['exit', {}, `f: ${PLUGIN} died (exit code 3) during Create: fatal: the disk went away`],
    ['hang', { MFILE_DRIVER_PLUGIN_TIMEOUT: '3' }, `f: ${PLUGIN} did not answer within 3 s (stopped) during Create`],
    ['trapped', {}, `f: ${PLUGIN} Create: Panic in the driver: boom in Create`],
  ])('%s: one line naming the plugin and the machine, exit 1, the machine kept as tainted in a valid state', (fault, extra, line) => {
    const r = p.run(['apply', '-y'], { env: faultEnv(fault, extra) });
    // The failed step's line names the machine and the plugin; nothing else on stderr names the plugin.
    const lines = pluginLines(r.stderr, PLUGIN);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\S+ machine\.f failed: /);
    expect(lines[0].replace(/^\S+ machine\.f failed: /, '').replace(/ \(\d+(\.\d+)?s\)$/, '')).toBe(line);
    expect(r.code).toBe(1);
    expect(p.state().machines.f).toMatchObject({ driver: 'docker-machine:mfilefault', status: 'tainted' });
    const plan = p.run(['plan', '--detailed-exitcode'], { env: faultEnv(undefined) });
    expect(plan.stdout).toMatch(/Plan: 1 to add, 0 to change, 0 to destroy\.|1 to add/);
    expect(plan.code).toBe(2);
  });

  it('the next apply converges: what the failed create left is removed first, then the machine is made and provisioned', () => {
    const r = p.run(['apply', '-y'], { env: faultEnv(undefined) });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(removed, 'utf8')).toBe('Remove\n');
    expect(p.state().machines.f).toMatchObject({ status: 'created', engineUrl: `tcp://${ip}:2376` });
    const again = p.run(['plan', '--detailed-exitcode'], { env: faultEnv(undefined) });
    expect(again.stdout).toContain('No changes.');
    expect(again.code).toBe(0);
  });

  it("destroy calls the plugin's Remove", () => {
    const r = p.run(['destroy', '-y'], { env: faultEnv(undefined) });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(removed, 'utf8')).toBe('Remove\nRemove\n');
    expect(p.state().machines.f).toBeUndefined();
  });
});
