// A sick engine must fail its own machine's steps promptly and by name, never hang the run or the other
// machines, and never damage the state; once healed, a rerun converges without duplicates.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_TIMEOUT_MS } from '../../src/apply/steps/common.js';
import { ensureCliBuilt, runCli, runCliAsync, startCli, type CliProcess, type CliResult } from './helpers/cli-process.js';
import { cleanupProject, countByName, docker, ensureTestImage, projectContainers } from './helpers/docker.js';
import { startEngineProxy, type EngineProxy } from './helpers/engine-proxy.js';
import { startOwnDockerd, type OwnDockerd } from './helpers/own-dockerd.js';
import { localMachine, machinesYaml, noneMachine, projectDir, readStateFile, uniqueProject, type ContainerDef, type MachineDef } from './helpers/project.js';

const started: CliProcess[] = [];
const names = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const ones = (ns: string[]): Record<string, number> => Object.fromEntries(ns.map((n) => [n, 1]));

beforeAll(() => {
  ensureCliBuilt();
  ensureTestImage();
}, 300_000);

afterAll(() => {
  for (const p of started) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
});

/** Runs apply in the background; `during` may inject the fault once the run is under way. */
/**
 * Runs apply, injects the fault with `during`, then gives the run `boundMs` to end (killed past it). Bounds come
 * from the product's own timeouts (CALL_TIMEOUT_MS per engine call), never from how fast this box is today: a
 * run that ends within one call timeout of the fault did not wait any call out.
 */
async function applyWithFault(file: string, during: (run: CliProcess) => Promise<void>, boundMs = CALL_TIMEOUT_MS): Promise<CliResult> {
  const run = startCli(['apply', '-y', '-f', file]);
  started.push(run);
  await during(run);
  const guard = setTimeout(() => run.child.kill('SIGKILL'), boundMs);
  const r = await run.exited.finally(() => clearTimeout(guard));
  expect(r.signal, `apply still running ${boundMs} ms after the fault; killed:\n${r.stdout}\n${r.stderr}`).toBeNull();
  return r;
}

/** Lines of the summary that name a failed step: `Failed: <address>: <error>`. */
const failedLines = (r: CliResult): string[] => (r.stdout + r.stderr).split('\n').filter((l) => l.startsWith('Failed: '));

describe('an engine answering 500 (driver none through a faulty proxy) next to a healthy local machine', () => {
  const project = uniqueProject('mfrf500');
  const p = projectDir('faults-500');
  const BAD = names('b', 3);
  const GOOD = names('g', 4);
  let proxy: EngineProxy;

  beforeAll(async () => {
    proxy = await startEngineProxy();
    const machines: MachineDef[] = [noneMachine('sick', proxy.url, 'unix:///var/run/docker.sock'), localMachine('good')];
    const containers: ContainerDef[] = [
      ...BAD.map((name): ContainerDef => ({ name, machine: 'sick' })),
      ...GOOD.map((name, i): ContainerDef => ({ name, machine: 'good', health: i === 0, dependsOn: i > 0 ? { g0: 'service_healthy' } : undefined })),
    ];
    p.write(machinesYaml(project, machines, containers));
  });
  afterAll(async () => {
    await proxy?.close();
    cleanupProject(undefined, project);
    rmSync(p.dir, { recursive: true, force: true });
  });

  it('500 on POST /containers/create: exit 1 promptly, the failures name the machine and container, the other machine finishes', async () => {
    proxy.setFault((req) => req.method === 'POST' && /\/containers\/create/.test(req.url ?? ''));
    const r = await applyWithFault(p.file, async () => {});
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(proxy.failed).toBeGreaterThan(0);
    const failed = failedLines(r);
    for (const n of BAD) expect(failed.join('\n'), r.stdout + r.stderr).toContain(`container.${n}[sick]`);
    for (const l of failed) {
      expect(l).toMatch(/\[sick\]/);
      expect(l).toContain('injected fault'); // the engine's own message reaches the user
    }
    const present = projectContainers(undefined, project);
    expect(present.filter((c) => c.machine === 'good').map((c) => c.name).sort()).toEqual(GOOD);
    expect(present.filter((c) => c.machine === 'good').every((c) => c.state === 'running')).toBe(true);
    expect(present.filter((c) => c.machine === 'sick')).toEqual([]);
    readStateFile(p.statePath);
  }, 300_000);

  it('every request failing from the middle of the run: exit 1 promptly, nothing hangs, state stays valid', async () => {
    // Start from scratch on the sick machine: the run must create there, then the engine turns fully sick.
    proxy.setFault(null);
    const r = await applyWithFault(p.file, async (run) => {
      await run.waitForLine(/container\.b\d\[sick\] creating/, 120_000);
      proxy.setFault(() => true);
    });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const failed = failedLines(r);
    expect(failed.length, r.stdout + r.stderr).toBeGreaterThan(0);
    for (const l of failed) expect(l).toMatch(/^Failed: (container\.b\d|machine)\S*\[?sick\]?/);
    expect(countByName(undefined, project)).toMatchObject(ones(GOOD));
    readStateFile(p.statePath);
  }, 300_000);

  it('an engine that stops answering mid-run (connections accepted, no reply): exit 1 once its calls time out, no hang', async () => {
    proxy.setFault(null);
    for (const c of projectContainers(undefined, project).filter((x) => x.machine === 'sick')) docker(undefined, ['rm', '-f', c.id]);
    // The calls in flight on the wedged engine each end at CALL_TIMEOUT_MS; half as much again is the bound.
    const r = await applyWithFault(p.file, async (run) => {
      await run.waitForLine(/container\.b\d\[sick\] creating/, 120_000);
      proxy.setFault(() => 'hang');
    }, CALL_TIMEOUT_MS * 1.5);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(failedLines(r).join('\n'), r.stdout + r.stderr).toMatch(/\[sick\]|machine\.sick/);
    expect(countByName(undefined, project)).toMatchObject(ones(GOOD));
    readStateFile(p.statePath);
  }, 420_000);

  it('healed: a rerun converges with each container once', async () => {
    proxy.setFault(null);
    // Async runs: the proxy lives in this process and must keep serving while the CLI runs.
    const again = await runCliAsync(['apply', '-y', '-f', p.file]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(countByName(undefined, project)).toEqual(ones([...BAD, ...GOOD]));
    const plan = await runCliAsync(['plan', '--detailed-exitcode', '-f', p.file]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  }, 300_000);
});

describe('a dockerd killed in the middle of an apply', () => {
  const project = uniqueProject('mfrfdd');
  const p = projectDir('faults-dockerd');
  const DD = names('d', 8);
  const LOC = names('l', 4);
  let dd: OwnDockerd;

  beforeAll(async () => {
    dd = await startOwnDockerd('faults');
    const machines: MachineDef[] = [noneMachine('own', dd.url, dd.host), localMachine('loc')];
    const containers: ContainerDef[] = [
      ...DD.map((name): ContainerDef => ({ name, machine: 'own', health: true })),
      ...LOC.map((name, i): ContainerDef => ({ name, machine: 'loc', health: i === 0, dependsOn: i > 0 ? { l0: 'service_healthy' } : undefined })),
    ];
    p.write(machinesYaml(project, machines, containers));
  }, 180_000);
  afterAll(async () => {
    cleanupProject(undefined, project);
    await dd?.dispose();
    rmSync(p.dir, { recursive: true, force: true });
  }, 120_000);

  it('fails the killed engine\'s steps by machine within a bound; the other machine completes; state valid', async () => {
    const r = await applyWithFault(p.file, async (run) => {
      await run.waitForLine(/container\.d\d\[own\] created/, 120_000);
      await dd.kill();
    });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const failed = failedLines(r);
    expect(failed.length, r.stdout + r.stderr).toBeGreaterThan(0);
    for (const l of failed) expect(l).toMatch(/\[own\]|machine\.own/);
    const loc = projectContainers(undefined, project).filter((c) => c.machine === 'loc');
    expect(loc.map((c) => c.name).sort()).toEqual(LOC);
    expect(loc.every((c) => c.state === 'running')).toBe(true);
    readStateFile(p.statePath);
  }, 300_000);

  it('after the dockerd restarts, a rerun converges with no duplicate on either engine', async () => {
    await dd.start();
    const again = runCli(['apply', '-y', '-f', p.file]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(countByName(dd.host, project)).toEqual(ones(DD));
    expect(countByName(undefined, project)).toEqual(ones(LOC));
    const plan = runCli(['plan', '--detailed-exitcode', '-f', p.file]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  }, 300_000);
});
