// One machine's step of a rolling update against the real local dockerd: the previous container is put back
// (same container, same name, running) when the new one fails its health check or stops during monitor, the
// later batch is skipped, pause keeps the failed one stopped for inspection, and a good version replaces it.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/index.js';
import type { ContainerSpec, PlanNode, ProgressEvent, RollingStep } from '../../src/model/index.js';
import { ensureTestImages, cleanupProject, labelled, TEST_IMAGE, TEST_IMAGE_2 } from '../helpers/image.js';
import { containerSpec, createPlan, desiredOf, freshState, memoryStore, node, planOf, planned } from '../helpers/fixtures.js';

const project = `mft${process.pid}r`;
const name = `${project}-web`;
const inspect = (n: string): any => JSON.parse(execFileSync('docker', ['inspect', n], { encoding: 'utf8' }))[0];
const allNames = (): string[] =>
  execFileSync('docker', ['ps', '-a', '--format', '{{.Names}}', '--filter', `label=io.mfile.project=${project}`], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();

const healthy = { test: ['CMD-SHELL', 'echo | nc -w 1 127.0.0.1 80'], interval: 200e6, timeout: 1e9, retries: 3, disable: false };
const web = containerSpec('web', { image: TEST_IMAGE, command: ['httpd', '-f', '-p', '80', '-h', '/www'], healthcheck: healthy, stop_grace_period: 1e9, init: true });
const rolling = (over: Partial<RollingStep> = {}): RollingStep => ({ batch: 1, batches: 2, delayMs: 0, monitorMs: 0, failureAction: 'rollback', ...over });

async function rollTo(spec: ContainerSpec, step: RollingStep, next = true, strategy: PlanNode['replaceStrategy'] = { kind: 'stop-first', because: ['update_config.order stop-first'] }) {
  const d = desiredOf(project, { containers: [spec] });
  const existingId = inspect(name).Id as string;
  const nodes: PlanNode[] = [
    node('container.web[m1]', 'replace', [], { existingId, rolling: step, replaceStrategy: strategy }),
  ];
  // The next batch, on a machine the step never reaches when the first batch fails.
  if (next) nodes.push(node('container.web[m2]', 'replace', ['container.web[m1]'], { rolling: { ...step, batch: 2 } }));
  const events: ProgressEvent[] = [];
  const result = await applyPlan({
    plan: planned(planOf(nodes, project), d),
    desired: d, store: memoryStore(), state: freshState(), parallelism: 10, perMachine: 4, sink: (e) => events.push(e), signal: new AbortController().signal,
  });
  return { result, existingId, events };
}

beforeAll(async () => {
  ensureTestImages();
  const d = desiredOf(project, { containers: [web] });
  const r = await applyPlan({ plan: createPlan(d), desired: d, store: memoryStore(), state: freshState(), parallelism: 10, perMachine: 4, sink: () => {}, signal: new AbortController().signal });
  expect(r.failed).toEqual([]);
}, 60_000);
afterAll(() => cleanupProject(project));

describe('rolling replace of a container', () => {
  it('puts the previous container back when the new one fails its health check, and skips the next batch', async () => {
    const sick = { ...web, image: TEST_IMAGE_2, healthcheck: { ...healthy, test: ['CMD-SHELL', 'echo | nc -w 1 127.0.0.1 81'], retries: 1 } };
    const { result, existingId } = await rollTo(sick, rolling());
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0].address).toBe('container.web[m1]');
    expect(result.failed[0].error).toMatch(
      /^rolling update of container web failed on machine m1: .*unhealthy .*; the previous container was put back and runs; the update stopped$/,
    );
    expect(result.skipped).toEqual([{ address: 'container.web[m2]', cause: 'depends on container.web[m1], which failed' }]);
    const now = inspect(name);
    expect(now.Id).toBe(existingId);
    expect(now.State.Running).toBe(true);
    expect(now.Config.Image).toBe(TEST_IMAGE);
    expect(allNames()).toEqual([name]);
  }, 60_000);

  it('puts it back when the new container stops during monitor (no health check)', async () => {
    const dies = { ...web, image: TEST_IMAGE_2, healthcheck: undefined, command: ['sh', '-c', 'sleep 0.3; exit 3'] };
    const { result, existingId } = await rollTo(dies, rolling({ monitorMs: 3000 }));
    expect(result.failed[0]?.error).toMatch(/^rolling update of container web failed on machine m1: the new container (stopped|is restarting) \(exit code 3\); the previous container was put back/);
    expect(inspect(name).Id).toBe(existingId);
    expect(inspect(name).State.Running).toBe(true);
    expect(allNames()).toEqual([name]);
  }, 60_000);

  it('start-first never stops the previous container, even when the new one fails', async () => {
    const startedAt = inspect(name).State.StartedAt;
    const sick = { ...web, image: TEST_IMAGE_2, healthcheck: { ...healthy, test: ['CMD', 'false'], retries: 1 } };
    const { result, existingId, events } = await rollTo(sick, rolling(), true, { kind: 'start-first' });
    expect(result.failed[0]?.error).toMatch(/^rolling update of container web failed on machine m1: .*; the previous container was put back and runs; the update stopped$/);
    expect(events.some((e) => e.text.startsWith('stopping the previous'))).toBe(false);
    expect(inspect(name).Id).toBe(existingId);
    expect(inspect(name).State.StartedAt).toBe(startedAt);
    expect(allNames()).toEqual([name]);
  }, 60_000);

  it('an interrupt while the new one is being checked puts the previous one back and reports it as interrupted', async () => {
    const slow = { ...web, image: TEST_IMAGE_2, healthcheck: { ...healthy, test: ['CMD', 'false'], interval: 10e9, retries: 30 } };
    const d = desiredOf(project, { containers: [slow] });
    const existingId = inspect(name).Id as string;
    const abort = new AbortController();
    const result = await applyPlan({
      plan: planned(planOf([node('container.web[m1]', 'replace', [], { existingId, rolling: rolling(), replaceStrategy: { kind: 'start-first' } })], project), d),
      desired: d, store: memoryStore(), state: freshState(), parallelism: 10, perMachine: 4, signal: abort.signal,
      sink: (e) => {
        if (e.text === 'waiting for the new container to be healthy') abort.abort();
      },
    });
    expect(result.interrupted).toBe(true);
    expect(result.notStarted).toEqual(['container.web[m1]']);
    expect(inspect(name).Id).toBe(existingId);
    expect(inspect(name).State.Running).toBe(true);
    expect(allNames()).toEqual([name]);
  }, 60_000);

  it('with failure_action pause keeps the failed container stopped for inspection beside the restored one', async () => {
    const sick = { ...web, image: TEST_IMAGE_2, healthcheck: { ...healthy, test: ['CMD', 'false'], retries: 1 } };
    const { result, existingId } = await rollTo(sick, rolling({ failureAction: 'pause' }));
    const kept = /kept stopped as (\S+);/.exec(result.failed[0]?.error ?? '')?.[1];
    expect(kept).toMatch(new RegExp(`^${name}-mfile-failed-[0-9a-f]{6}$`));
    expect(inspect(name).Id).toBe(existingId);
    expect(inspect(kept!).State.Running).toBe(false);
    expect(inspect(kept!).Config.Image).toBe(TEST_IMAGE_2);
    execFileSync('docker', ['rm', '-f', kept!], { stdio: 'ignore' });
  }, 60_000);

  it('a stop-first step killed midway left the previous container stopped under its -mfile-previous- name: a failing rerun puts it back running under its name', async () => {
    const existingId = inspect(name).Id as string;
    execFileSync('docker', ['stop', '-t', '1', name], { stdio: 'ignore' });
    execFileSync('docker', ['rename', name, `${name}-mfile-previous-0a0b0c`], { stdio: 'ignore' });
    const sick = { ...web, image: TEST_IMAGE_2, healthcheck: { ...healthy, test: ['CMD', 'false'], retries: 1 } };
    const d = desiredOf(project, { containers: [sick] });
    const result = await applyPlan({
      plan: planned(planOf([node('container.web[m1]', 'replace', [], { existingId, previousRan: true, rolling: rolling(), replaceStrategy: { kind: 'stop-first', because: ['update_config.order stop-first'] } })], project), d),
      desired: d, store: memoryStore(), state: freshState(), parallelism: 10, perMachine: 4, sink: () => {}, signal: new AbortController().signal,
    });
    expect(result.failed[0]?.error).toMatch(/; the previous container was put back and runs; the update stopped$/);
    const now = inspect(name);
    expect(now.Id).toBe(existingId);
    expect(now.State.Running).toBe(true);
    expect(now.State.Health.Status).toBe('healthy');
    expect(allNames()).toEqual([name]);
  }, 60_000);

  it('replaces it with a healthy new version after the delay and removes the previous one', async () => {
    const { result, existingId, events } = await rollTo({ ...web, image: TEST_IMAGE_2 }, rolling({ batch: 2, batches: 2, delayMs: 200, monitorMs: 500 }), false);
    const texts = events.filter((e) => e.id === 'container.web[m1]').map((e) => e.text);
    expect(texts).toContain('waiting 0.2s (update_config.delay) before batch 2 of 2');
    expect(texts).toContain('watching the new container for 0.5s (update_config.monitor)');
    expect(result.failed).toEqual([]);
    const now = inspect(name);
    expect(now.Id).not.toBe(existingId);
    expect(now.Config.Image).toBe(TEST_IMAGE_2);
    expect(now.State.Health.Status).toBe('healthy');
    expect(result.state.objects['container.web[m1]'].id).toBe(now.Id);
    expect(labelled(project).containers).toEqual([name]);
  }, 60_000);
});
