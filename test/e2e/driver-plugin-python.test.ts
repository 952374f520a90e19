// An external driver plugin written in Python (examples/driver-plugin-python) driven through the built CLI, as a
// user would: on PATH, named by `driver: pyns`; its block is checked against the plugin's schema; apply makes the
// host through the plugin and provisions it over SSH; a container runs on its engine; `mfile driver test` passes;
// destroy leaves no namespace, process or bridge. A plugin that dies midway through create gives one line naming
// the plugin and the operation, leaves the state valid, and the next apply converges.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureBuilt, mfile, REPO_ROOT } from '../helpers/cli.js';
import { cliProject, type CliProject } from '../helpers/cli-project.js';
import { ensureTestImages, TEST_IMAGE } from '../helpers/image.js';
import { describeNeeding, SANDBOX, type Prerequisite } from '../helpers/prerequisites.js';

const PLUGIN_DIR = path.join(REPO_ROOT, 'examples/driver-plugin-python');
const PLUGIN = path.join(PLUGIN_DIR, 'mfile-driver-pyns');
const PYTHON: Prerequisite = { name: '/usr/bin/python3', from: 'scripts/setup-host.sh (python3)', present: () => existsSync('/usr/bin/python3') };
const TINI: Prerequisite = { name: '/usr/bin/tini', from: 'scripts/setup-host.sh (tini)', present: () => existsSync('/usr/bin/tini') };
const withPlugin = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ PATH: `${PLUGIN_DIR}:${savedPath}`, ...extra });
// `mfile env` (behind p.docker) runs with this process's environment: the plugin is on its PATH too.
const savedPath = process.env.PATH;
const putPluginOnPath = (): void => void (process.env.PATH = `${PLUGIN_DIR}:${savedPath}`);

function config(project: string, machine: string, subnet: string): string {
  return `version: 1
project: ${project}
machines:
  ${machine}:
    driver: pyns
    pyns: { subnet: ${subnet} }
containers:
  web:
    machine: ${machine}
    image: ${TEST_IMAGE}
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    stop_grace_period: 1s
`;
}

const netnsList = (): string => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
const running = (pid: number): boolean => existsSync(`/proc/${pid}/status`) && !/State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, 'utf8'));

/** What a pyns machine leaves on the box, from its state record. */
function footprint(p: CliProject, machine: string): { netns: string; bridge: string; pids: number[] } {
  const d = p.state().machines[machine].driverData as { netns: string; bridge: string; initPid: number; outerPid: number };
  return { netns: d.netns, bridge: d.bridge, pids: [d.initPid, d.outerPid] };
}

function expectGone(f: { netns: string; bridge: string; pids: number[] }, dir: string): void {
  expect(netnsList()).not.toContain(f.netns);
  for (const pid of f.pids) expect(running(pid)).toBe(false);
  expect(existsSync(`/sys/class/net/${f.bridge}`)).toBe(false);
  expect(execFileSync('iptables', ['-w', '-S', 'FORWARD'], { encoding: 'utf8' })).not.toContain(`mfile pyns ${f.bridge}`);
  expect(readFileSync('/proc/mounts', 'utf8')).not.toContain(dir);
}

describeNeeding([...SANDBOX, PYTHON, TINI])('a driver plugin in Python, through the built CLI', () => {
  let p: CliProject;

  beforeAll(() => {
    ensureBuilt();
    ensureTestImages();
    putPluginOnPath();
    p = cliProject('pyplugin');
    p.write(config('pyplug', 'py-1', '10.213.82.0/24'));
  });

  afterAll(() => {
    if (existsSync(p.stateFile)) p.run(['destroy', '-y'], { env: withPlugin() });
    process.env.PATH = savedPath;
  });

  it("checks the machine's pyns block against the plugin's schema, with the file position", () => {
    p.write(config('pyplug', 'py-1', '10.213.82.0/24').replace('pyns: { subnet: 10.213.82.0/24 }', 'pyns: { subnet: 10.213.82.0/24, size: 3 }'));
    const r = p.run(['validate'], { env: withPlugin() });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^machines\.yml:6:37: unknown key 'size' in machines\.py-1\.pyns/);
    p.write(config('pyplug', 'py-1', '10.213.82.0/24'));
  });

  it('apply creates the host through the plugin, provisions it over SSH and runs the container on its engine', () => {
    const r = p.run(['apply', '-y'], { env: withPlugin() });
    expect(r.code, r.stderr).toBe(0);
    const m = p.state().machines['py-1'];
    expect(m).toMatchObject({ driver: 'pyns', status: 'created', engineUrl: expect.stringMatching(/^tcp:\/\/10\.213\.82\.\d+:2376$/) });
    expect(netnsList()).toContain(footprint(p, 'py-1').netns);
    const ps = p.docker('py-1', ['ps', '--format', '{{.Names}} {{.Image}} {{.State}}']);
    expect(ps.status, ps.stderr).toBe(0);
    expect(ps.stdout.trim()).toBe(`pyplug-web ${TEST_IMAGE} running`);
    // The engine runs on the plugin's host, not on this box: its name is the machine's hostname.
    expect(p.docker('py-1', ['info', '-f', '{{.Name}}']).stdout.trim()).toBe('py-1');
  });

  it('a second apply changes nothing', () => {
    const r = p.run(['apply', '-y'], { env: withPlugin() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('No changes.');
  });

  it('mfile driver test passes on the plugin', () => {
    const r = mfile(['driver', 'test', PLUGIN]);
    expect(r.stdout).not.toContain('FAIL');
    expect(r.code, r.stdout).toBe(0);
  });

  it('destroy removes the namespace, its processes, the bridge and its firewall rule', () => {
    const f = footprint(p, 'py-1');
    const r = p.run(['destroy', '-y'], { env: withPlugin() });
    expect(r.code, r.stderr).toBe(0);
    expect(p.state().machines['py-1']).toBeUndefined();
    expectGone(f, p.dir);
  });
});

describeNeeding([...SANDBOX, PYTHON, TINI])('a driver plugin that dies midway through create', () => {
  let p: CliProject;

  beforeAll(() => {
    ensureBuilt();
    ensureTestImages();
    putPluginOnPath();
    p = cliProject('pyplugin-fault');
    p.write(config('pyfault', 'py-f', '10.213.83.0/24'));
  });

  afterAll(() => {
    if (existsSync(p.stateFile)) p.run(['destroy', '-y'], { env: withPlugin() });
    process.env.PATH = savedPath;
  });

  it('fails with one line naming the plugin and the operation; the state keeps the machine as tainted', () => {
    const r = p.run(['apply', '-y'], { env: withPlugin({ PYNS_FAIL_AT: 'after-netns' }) });
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.includes('driver plugin'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('py-f: driver plugin mfile-driver-pyns: create: plugin exited with status 70 before answering (stderr: PYNS_FAIL_AT=after-netns: exiting)');
    expect(p.state().machines['py-f']).toMatchObject({ driver: 'pyns', status: 'tainted' });
  });

  it('the next apply, with the plugin working again, converges: the machine is made and the container runs', () => {
    const r = p.run(['apply', '-y'], { env: withPlugin() });
    expect(r.code, r.stderr).toBe(0);
    expect(p.state().machines['py-f']).toMatchObject({ status: 'created' });
    expect(p.docker('py-f', ['ps', '--format', '{{.Names}} {{.State}}']).stdout.trim()).toBe('pyfault-web running');
    const again = p.run(['plan'], { env: withPlugin() });
    expect(again.stdout).toContain('No changes.');
  });

  it('destroy leaves nothing of either attempt', () => {
    const f = footprint(p, 'py-f');
    const r = p.run(['destroy', '-y'], { env: withPlugin() });
    expect(r.code, r.stderr).toBe(0);
    expectGone(f, p.dir);
    expect(netnsList()).not.toMatch(/pyns-py-f-/);
  });
});
