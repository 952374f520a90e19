// applyPlan against the real dockerd: create, inspect, replace, delete.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/index.js';
import type { ProgressEvent } from '../../src/model/index.js';
import { ensureTestImages, cleanupProject, labelled, TEST_IMAGE_2 } from '../helpers/image.js';
import { containerSpec, createPlan, desiredOf, destroyPlan, freshState, memoryStore, networkSpec, node, planOf, planned, volumeSpec } from '../helpers/fixtures.js';

const project = `mft${process.pid}a`;
const inspect = (name: string): any => JSON.parse(execFileSync('docker', ['inspect', name], { encoding: 'utf8' }))[0];

const db = containerSpec('db', {
  command: ['sh', '-c', 'touch /tmp/ready; exec httpd -f -p 80 -h /www'],
  healthcheck: { test: ['CMD', 'test', '-f', '/tmp/ready'], interval: 200e6, timeout: 1e9, retries: 3, disable: false },
  networks: { back: { aliases: ['database'] } },
  volumes: [{ type: 'volume', source: 'data', target: '/data', read_only: false }],
  stop_grace_period: 1e9,
  init: true,
  secrets: [{ source: 'pw', target: '/run/secrets/db_pw', mode: 0o400 }],
});
const web = containerSpec('web', {
  command: ['httpd', '-f', '-p', '80', '-h', '/www'],
  environment: { MODE: 'prod' },
  networks: { back: { aliases: [] }, front: { aliases: ['www'] } },
  depends_on: { db: { condition: 'service_healthy', required: true, restart: false } },
  ports: [{ target: 80, published: '18480', host_ip: '127.0.0.1', protocol: 'tcp' }],
  restart: 'unless-stopped',
  stop_grace_period: 1e9,
});
const desired = desiredOf(project, { containers: [db, web], networks: [networkSpec('back'), networkSpec('front')], volumes: [volumeSpec('data')] });
const secretDir = mkdtempSync(path.join(tmpdir(), 'mfile-secret-'));
writeFileSync(path.join(secretDir, 'pw'), 's3cret\n');
desired.secrets = { pw: { name: 'pw', file: path.join(secretDir, 'pw') } };

beforeAll(() => ensureTestImages(), 60_000);
afterAll(() => {
  cleanupProject(project);
  rmSync(secretDir, { recursive: true, force: true });
});

describe('applyPlan on the local engine', () => {
  const run = (plan: ReturnType<typeof createPlan>, events: ProgressEvent[] = []) =>
    applyPlan({ plan, desired, store: memoryStore(), state: freshState(), parallelism: 10, perMachine: 4, sink: (e) => events.push(e), signal: new AbortController().signal });

  it('creates networks, volumes and containers in order, with the declared settings', async () => {
    const events: ProgressEvent[] = [];
    const result = await run(createPlan(desired), events);
    expect(result.failed).toEqual([]);
    expect(result.done).toHaveLength(6);
    const w = inspect(`${project}-web`);
    expect(w.State.Running).toBe(true);
    expect(w.Config.Env).toContain('MODE=prod');
    expect(w.HostConfig.PortBindings).toEqual({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '18480' }] });
    expect(Object.keys(w.NetworkSettings.Networks).sort()).toEqual([`${project}_back`, `${project}_front`]);
    expect(w.NetworkSettings.Networks[`${project}_front`].Aliases).toContain('www');
    expect(w.Config.Labels['io.mfile.project']).toBe(project);
    const d = inspect(`${project}-db`);
    expect(d.State.Health.Status).toBe('healthy');
    expect(d.Mounts[0].Name).toBe(`${project}_data`);
    expect(result.state.objects[`container.web[m1]`].id).toBe(w.Id);
    // secrets are copied in before start, with their mode
    expect(execFileSync('docker', ['exec', `${project}-db`, 'cat', '/run/secrets/db_pw'], { encoding: 'utf8' })).toBe('s3cret\n');
    expect(execFileSync('docker', ['exec', `${project}-db`, 'ls', '-l', '/run/secrets/db_pw'], { encoding: 'utf8' })).toMatch(/^-r--------/);
    // In order, by the sequence of events: networks and the volume before the containers that use them, and web
    // (gated on db being healthy) not begun until db was done.
    const at = (id: string, status: ProgressEvent['status'], text = ''): number => {
      const i = events.findIndex((e) => e.id === id && e.status === status && e.text.startsWith(text));
      expect(i, `${id} ${status} ${text}`).toBeGreaterThanOrEqual(0);
      return i;
    };
    const dbBegins = at('container.db[m1]', 'running', 'creating');
    const webBegins = at('container.web[m1]', 'running', 'creating');
    for (const dep of ['network.back[m1]', 'volume.data[m1]']) expect(at(dep, 'done')).toBeLessThan(dbBegins);
    for (const dep of ['network.back[m1]', 'network.front[m1]']) expect(at(dep, 'done')).toBeLessThan(webBegins);
    expect(at('container.db[m1]', 'done')).toBeLessThan(webBegins);
    // the alias on the first network resolves from the other container
    execFileSync('docker', ['exec', `${project}-web`, 'sh', '-c', 'echo | nc -w 1 database 80'], { stdio: 'ignore' });
  }, 60_000);

  it('replaces a container with a new image and keeps its name', async () => {
    const before = inspect(`${project}-web`).Id;
    const d2 = { ...desired, containers: { ...desired.containers, web: { ...web, image: TEST_IMAGE_2 } } };
    const result = await applyPlan({
      plan: planned(planOf([node(`image.${TEST_IMAGE_2}[m1]`, 'create'), node('container.web[m1]', 'replace', [`image.${TEST_IMAGE_2}[m1]`], { existingId: before })]), d2),
      desired: d2, store: memoryStore(), state: freshState(), parallelism: 10, perMachine: 4, sink: () => {}, signal: new AbortController().signal,
    });
    expect(result.failed).toEqual([]);
    const after = inspect(`${project}-web`);
    expect(after.Id).not.toBe(before);
    expect(after.Config.Image).toBe(TEST_IMAGE_2);
    expect(after.State.Running).toBe(true);
    expect(labelled(project).containers).toEqual([`${project}-db`, `${project}-web`]);
  }, 60_000);

  it('keeps the old container when the new one never becomes healthy', async () => {
    const before = inspect(`${project}-web`).Id;
    const sick = { ...web, image: TEST_IMAGE_2, healthcheck: { test: ['CMD', 'false'], interval: 100e6, timeout: 1e9, retries: 1, disable: false } };
    const sickDesired = { ...desired, containers: { ...desired.containers, web: sick } };
    const result = await applyPlan({
      plan: planned(planOf([node('container.web[m1]', 'replace', [], { existingId: before })]), sickDesired),
      desired: sickDesired,
      store: memoryStore(), state: freshState(), parallelism: 10, perMachine: 4, sink: () => {}, signal: new AbortController().signal,
    });
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0].error).toMatch(/the old one was kept: .*unhealthy \(last health check: exit 1/);
    const after = inspect(`${project}-web`);
    expect(after.Id).toBe(before);
    expect(after.State.Running).toBe(true);
    expect(labelled(project).containers).toEqual([`${project}-db`, `${project}-web`]);
  }, 60_000);

  it('a dependent waiting on an unhealthy container fails, naming it and its last health check', async () => {
    const bad = containerSpec('bad', {
      command: ['sleep', '600'], init: true, network_mode: 'none',
      healthcheck: { test: ['CMD-SHELL', 'echo not ready; exit 1'], interval: 100e6, timeout: 1e9, retries: 1, disable: false },
    });
    const dep = containerSpec('dep', { command: ['sleep', '600'], init: true, network_mode: 'none', depends_on: { bad: { condition: 'service_healthy', required: true, restart: false } } });
    const d2 = desiredOf(project, { containers: [bad, dep] });
    const result = await applyPlan({
      plan: planned(planOf([node('container.bad[m1]', 'create'), node('container.dep[m1]', 'create', ['container.bad[m1]'])]), d2),
      desired: d2, store: memoryStore(), state: freshState(), parallelism: 10, perMachine: 4, sink: () => {}, signal: new AbortController().signal,
    });
    expect(result.done).toEqual(['container.bad[m1]']);
    expect(result.failed).toEqual([{ address: 'container.dep[m1]', error: `${project}-bad is unhealthy (last health check: exit 1: not ready)` }]);
    execFileSync('docker', ['rm', '-f', `${project}-bad`], { stdio: 'ignore' });
  }, 60_000);

  it('deletes everything it made', async () => {
    const result = await run(destroyPlan(desired));
    expect(result.failed).toEqual([]);
    expect(labelled(project)).toEqual({ containers: [], networks: [], volumes: [] });
  }, 60_000);
});
