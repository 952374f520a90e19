// Ctrl-C during an apply: the first SIGINT winds down (in-flight steps finish, nothing new starts, state saved,
// lock released, exit 130 with what was left undone); a second SIGINT exits at once. A rerun always converges.
import { existsSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_TIMEOUT_MS } from '../../src/apply/steps/common.js';
import { ensureCliBuilt, runCli, runCliAsync, startCli, type CliProcess } from './helpers/cli-process.js';
import { cleanupProject, countByName, ensureTestImage, projectContainers } from './helpers/docker.js';
import { startEngineProxy, type EngineProxy } from './helpers/engine-proxy.js';
import { localMachine, machinesYaml, noneMachine, projectDir, readStateFile, uniqueProject, type ContainerDef } from './helpers/project.js';

// Bounds come from the product's own timeouts, never from how fast this box is today. After the first signal the
// waits are cancelled and only engine calls in flight are let finish: a step has at most a create and a start
// in flight, each bounded by CALL_TIMEOUT_MS. Past that the run is called hung.
const WIND_DOWN_BOUND_MS = 2 * CALL_TIMEOUT_MS;

const NAMES = Array.from({ length: 15 }, (_, i) => `c${String(i).padStart(2, '0')}`);

/** 15 health-checked containers: three roots, the rest wait for one of them to be healthy. */
function fifteen(): ContainerDef[] {
  return NAMES.map((name, i): ContainerDef => ({
    name,
    machine: 'm1',
    health: true,
    dependsOn: i < 3 ? undefined : { [NAMES[i % 3]]: 'service_healthy' },
  }));
}

const FIRST_CREATE = /container\.c\d\d\[m1\] creating/;
const started: CliProcess[] = [];
const ones = (): Record<string, number> => Object.fromEntries(NAMES.map((n) => [n, 1]));

beforeAll(() => {
  ensureCliBuilt();
  ensureTestImage();
}, 300_000);

afterAll(() => {
  for (const p of started) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
});

/** After any interrupt: state parses, a rerun converges, and each container exists exactly once. */
function expectRecovers(p: ReturnType<typeof projectDir>, project: string): void {
  readStateFile(p.statePath);
  const again = runCli(['apply', '-y', '-f', p.file]);
  expect(again.code, again.stdout + again.stderr).toBe(0);
  const plan = runCli(['plan', '--detailed-exitcode', '-f', p.file]);
  expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  expect(countByName(undefined, project)).toEqual(ones());
}

describe('SIGINT during an apply of 15 health-checked containers', () => {
  const project = uniqueProject('mfrint');
  const p = projectDir('interrupt');
  afterAll(() => {
    cleanupProject(undefined, project);
    rmSync(p.dir, { recursive: true, force: true });
  });

  it('exits 130 once the steps in flight end, names what it left undone, releases the lock, and a rerun converges', async () => {
    p.write(machinesYaml(project, [localMachine('m1')], fifteen()));
    const run = startCli(['apply', '-y', '-f', p.file]);
    started.push(run);
    await run.waitForLine(FIRST_CREATE, 120_000);
    run.child.kill('SIGINT');
    const guard = setTimeout(() => run.child.kill('SIGKILL'), WIND_DOWN_BOUND_MS);
    const r = await run.exited.finally(() => clearTimeout(guard));
    const out = r.stdout + r.stderr;
    expect(r.signal, `still running ${WIND_DOWN_BOUND_MS} ms after SIGINT:\n${out}`).toBeNull();
    expect(r.code, out).toBe(130);
    expect(r.stderr).toContain('SIGINT received');
    expect(r.stderr).toMatch(/interrupted/);

    // Every declared container that does not exist now is named as not started (or skipped) in the summary.
    const present = new Set(projectContainers(undefined, project).map((c) => c.name));
    const undone = NAMES.filter((n) => !present.has(n));
    expect(undone.length, 'the interrupt came too late to leave anything undone').toBeGreaterThan(0);
    const undoneLines = out.split('\n').filter((l) => /^(Not started \(interrupted\)|Skipped)/.test(l)).join('\n');
    for (const n of undone) expect(undoneLines, out).toContain(`container.${n}[m1]`);
    expect(out).toMatch(/Apply interrupted! Resources: \d+ added/);

    expect(existsSync(p.lockPath)).toBe(false);
    expectRecovers(p, project);
  }, 300_000);
});

describe('a second SIGINT while the steps in flight hang', () => {
  const project = uniqueProject('mfrint2');
  const p = projectDir('interrupt2');
  let proxy: EngineProxy;
  beforeAll(async () => {
    proxy = await startEngineProxy();
  });
  afterAll(async () => {
    await proxy?.close();
    cleanupProject(undefined, project);
    rmSync(p.dir, { recursive: true, force: true });
  });

  it('exits at once with 130 and a warning, without waiting for them; the state still parses and a rerun converges', async () => {
    // The engine is reached through a proxy that, once told, never answers a container create: after the first
    // SIGINT the steps in flight cannot end before CALL_TIMEOUT_MS, so an exit before that is "at once".
    p.write(machinesYaml(project, [noneMachine('m1', proxy.url, 'unix:///var/run/docker.sock')], fifteen()));
    const run = startCli(['apply', '-y', '-f', p.file]);
    started.push(run);
    // Once a container exists (so the state has something to keep), every create hangs; the first hung one is
    // the step in flight that the signals meet.
    await run.waitForLine(/container\.c\d\d\[m1\] created/, 120_000);
    const hung = new Promise<void>((resolve) =>
      proxy.setFault((req) => {
        if (req.method !== 'POST' || !/\/containers\/create/.test(req.url ?? '')) return false;
        resolve();
        return 'hang';
      }),
    );
    await hung;
    run.child.kill('SIGINT');
    await run.waitForLine(/SIGINT received/, CALL_TIMEOUT_MS);
    run.child.kill('SIGINT');
    const guard = setTimeout(() => run.child.kill('SIGKILL'), CALL_TIMEOUT_MS / 2);
    const r = await run.exited.finally(() => clearTimeout(guard));
    const out = r.stdout + r.stderr;
    expect(r.signal, `waited for the hung steps after the second SIGINT:\n${out}`).toBeNull();
    expect(r.code, out).toBe(130);
    expect(r.stderr).toContain('Warning: second SIGINT: exiting at once');
    // The exit hook drops a lock this process held, so no `state unlock` is needed.
    expect(existsSync(p.lockPath)).toBe(false);

    proxy.setFault(null);
    readStateFile(p.statePath);
    // Async: the proxy lives in this process and must keep serving while the CLI runs.
    const again = await runCliAsync(['apply', '-y', '-f', p.file]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const plan = await runCliAsync(['plan', '--detailed-exitcode', '-f', p.file]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(countByName(undefined, project)).toEqual(ones());
  }, 300_000);
});
