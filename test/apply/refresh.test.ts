// refresh: what is on each engine, by label; an engine that does not answer is an error naming the machine.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnections, refresh } from '../../src/apply/index.js';
import { qemuTraits } from '../../src/drivers/qemu/traits.js';
import { cleanupProject, ensureTestImages } from '../helpers/image.js';
import { desiredOf, freshState } from '../helpers/fixtures.js';

const project = `mfr${process.pid}`;

beforeAll(() => {
  ensureTestImages();
  execFileSync('docker', ['network', 'create', '--label', `io.mfile.project=${project}`, `${project}_n`], { stdio: 'ignore' });
  execFileSync('docker', ['run', '-d', '--network', 'none', '--name', `${project}-a`, '--label', `io.mfile.project=${project}`, '--label', 'io.mfile.name=a', 'mfile-test/busybox:1', 'sleep', '600'], { stdio: 'ignore' });
  execFileSync('docker', ['create', '--network', 'none', '--name', `${project}-b`, '--label', `io.mfile.project=${project}`, 'mfile-test/busybox:1', 'true'], { stdio: 'ignore' });
  execFileSync('docker', ['run', '-d', '--network', 'none', '--name', `${project}-other`, 'mfile-test/busybox:1', 'sleep', '600'], { stdio: 'ignore' });
}, 60_000);

afterAll(() => {
  cleanupProject(project);
  execFileSync('docker', ['rm', '-f', `${project}-other`], { stdio: 'ignore' });
});

describe('refresh', () => {
  it('lists only the objects labelled with the project, with their state', async () => {
    const desired = desiredOf(project, {});
    const conns = createConnections(desired, freshState());
    const observed = await refresh(desired, freshState(), conns);
    await conns.closeAll();
    const m1 = observed.machines.m1;
    expect(observed.refreshed).toBe(true);
    expect(m1.status).toBe('running');
    expect(m1.containers.map((c) => [c.name, c.state, c.labels['io.mfile.name']])).toEqual([
      [`${project}-a`, 'running', 'a'],
      [`${project}-b`, 'created', undefined],
    ]);
    expect(m1.networks.map((n) => n.name)).toEqual([`${project}_n`]);
    expect(m1.images.some((i) => i.repoTags.includes('mfile-test/busybox:1'))).toBe(true);
    expect(m1.dockerVersion).toMatch(/\d+\.\d+/);
  });

  it('reports an engine that does not answer as an error naming the machine, and still observes the others', async () => {
    const desired = desiredOf(project, {});
    desired.machines.far = { ...desired.machines.m1, name: 'far', driver: 'none', driverOptions: { url: 'tcp://127.0.0.1:1' } };
    const conns = createConnections(desired, freshState());
    const observed = await refresh(desired, freshState(), conns);
    expect(observed.machines.far.status).toBe('error');
    expect(observed.machines.far.error).toMatch(/^far: /);
    expect(observed.machines.far.error).not.toContain('\n');
    expect(observed.machines.m1.status).toBe('running');
  });

  it('asks a qemu machine that a create will make what it will choose (the accelerator), for the plan to carry', async () => {
    const desired = desiredOf(project, {});
    desired.machines.vm = { ...desired.machines.m1, name: 'vm', driver: 'qemu', driverOptions: { image: '/d.qcow2', accel: 'tcg' }, traits: qemuTraits };
    const conns = createConnections(desired, freshState());
    const observed = await refresh(desired, freshState(), conns);
    await conns.closeAll();
    expect(observed.machines.vm).toMatchObject({
      status: 'missing',
      createChoices: { summary: 'tcg: qemu.accel: tcg', values: { accel: 'tcg', accelReason: 'qemu.accel: tcg' } },
    });
    expect(observed.machines.m1.createChoices).toBeUndefined();
  });

  it('does nothing with refresh: false', async () => {
    const desired = desiredOf(project, {});
    expect(await refresh(desired, freshState(), createConnections(desired, freshState()), { refresh: false })).toEqual({ refreshed: false, machines: {} });
  });
});
