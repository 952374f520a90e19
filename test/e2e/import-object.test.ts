// `mfile import ADDR ID` as a Terraform user meets it: the built CLI adopts a container and a network made with
// the docker CLI on the local engine; the next plan shows no change, or the difference when the file asks for
// more; an address already managed, an address not in machines.yml and an id that does not exist are each
// refused in one line, leaving the state as it was.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureBuilt, mfile } from '../helpers/cli.js';
import { cleanupProject, ensureTestImages, TEST_IMAGE } from '../helpers/image.js';
import { DOCKERD, describeNeeding } from '../helpers/prerequisites.js';

const project = `mfim${process.pid}`;
const dir = mkdtempSync(path.join(tmpdir(), 'mfile-import-'));
const docker = (...args: string[]): string => execFileSync('docker', args, { encoding: 'utf8' }).trim();
const run = (...args: string[]): { code: number | null; out: string } => {
  const r = mfile(args, { cwd: dir });
  return { code: r.code, out: r.stdout + r.stderr };
};
const stateText = (): string => readFileSync(path.join(dir, '.mfile/state.json'), 'utf8');

const config = (extra = ''): string => `version: 1
project: ${project}
machines:
  m1: { driver: local }
networks:
  back: { name: ${project}-legacy, ipam: { config: [{ subnet: 10.213.201.0/24 }] } }
containers:
  web:
    machine: m1
    container_name: ${project}-legacy-web
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    environment: { MODE: prod }
    restart: unless-stopped
    networks: [back]
${extra}`;

describeNeeding([DOCKERD])('mfile import on a local engine', () => {
  let containerId = '';
  beforeAll(() => {
    ensureTestImages();
    ensureBuilt();
    // The machine first, then objects made outside mfile, as they would exist before adoption.
    writeFileSync(path.join(dir, 'machines.yml'), `version: 1\nproject: ${project}\nmachines:\n  m1: { driver: local }\n`);
    const applied = run('apply', '-y');
    expect(applied.code, applied.out).toBe(0);
    docker('network', 'create', '--subnet', '10.213.201.0/24', `${project}-legacy`);
    containerId = docker('run', '-d', '--name', `${project}-legacy-web`, '--network', `${project}-legacy`, '--restart', 'unless-stopped', '-e', 'MODE=prod', TEST_IMAGE, 'sleep', '3600');
    writeFileSync(path.join(dir, 'machines.yml'), config());
  }, 300_000);

  afterAll(() => {
    run('destroy', '-y');
    // Gone already when destroy removed them (they were managed by then).
    spawnSync('docker', ['rm', '-f', `${project}-legacy-web`], { stdio: 'ignore' });
    spawnSync('docker', ['network', 'rm', `${project}-legacy`], { stdio: 'ignore' });
    cleanupProject(project);
    rmSync(dir, { recursive: true, force: true });
  });

  it('adopts a network and a container that match machines.yml: the next plan shows no change', () => {
    const net = run('import', 'network.back[m1]', `${project}-legacy`);
    expect(net.code, net.out).toBe(0);
    const ctr = run('import', 'container.web[m1]', containerId.slice(0, 12));
    expect(ctr.code, ctr.out).toBe(0);
    expect(ctr.out).toContain('It matches machines.yml: the next plan shows no change for it.');
    const plan = run('plan', '--detailed-exitcode');
    expect(plan.code, plan.out).toBe(0);
    expect(plan.out).toMatch(/No changes\./);
  });

  it('refuses an address already managed, one not in machines.yml and an id that does not exist, in one line each', () => {
    const before = stateText();
    const cases: [string[], string][] = [
      [['import', 'container.web[m1]', containerId], 'Error: container.web[m1] is already managed'],
      [['import', 'container.wbe[m1]', containerId], 'Error: container.wbe[m1] is not in machines.yml (did you mean container.web[m1]?)'],
      [['import', 'network.back[m1]', 'no-such-network'], 'Error: network.back[m1] is already managed'],
    ];
    for (const [args, line] of cases) {
      const r = run(...args);
      expect(r.code, r.out).toBe(1);
      expect(r.out.trim().split('\n'), r.out).toHaveLength(1);
      expect(r.out).toContain(line);
    }
    run('state', 'rm', 'container.web[m1]');
    const missing = run('import', 'container.web[m1]', 'no-such-container');
    expect(missing.code).toBe(1);
    expect(missing.out.trim()).toBe('Error: no container no-such-container on machine m1');
    expect(JSON.parse(stateText()).objects['container.web[m1]']).toBeUndefined();
    expect(before).toContain(containerId);
  });

  it('records how an adopted container differs from the file, and the next plan replaces it saying so', () => {
    writeFileSync(path.join(dir, 'machines.yml'), config('    mem_limit: 64m\n'));
    const r = run('import', 'container.web[m1]', containerId);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('HostConfig.Memory: 0 (file: 67108864)');
    const plan = run('plan', '--detailed-exitcode');
    expect(plan.code, plan.out).toBe(2);
    expect(plan.out).toContain('# container.web[m1] must be replaced');
    expect(plan.out).toContain('(differs from machines.yml since import: HostConfig.Memory: 0 (file: 67108864))');
    const applied = run('apply', '-y');
    expect(applied.code, applied.out).toBe(0);
    expect(docker('inspect', '-f', '{{.HostConfig.Memory}} {{index .Config.Labels "io.mfile.name"}}', `${project}-legacy-web`)).toBe('67108864 web');
    expect(run('plan', '--detailed-exitcode').code).toBe(0);
  });
});
