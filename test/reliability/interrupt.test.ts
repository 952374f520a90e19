// Ctrl-C during an apply: the first SIGINT winds down (in-flight steps finish, nothing new starts, state saved,
// lock released, exit 130 with what was left undone); a second SIGINT exits at once. A rerun always converges.
import { existsSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, runCli, startCli, type CliProcess } from './helpers/cli-process.js';
import { cleanupProject, countByName, ensureTestImage, projectContainers } from './helpers/docker.js';
import { localMachine, machinesYaml, projectDir, readStateFile, uniqueProject, type ContainerDef } from './helpers/project.js';

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

  it('exits 130 within 10 s, names what it left undone, releases the lock, and a rerun converges', async () => {
    p.write(machinesYaml(project, [localMachine('m1')], fifteen()));
    const run = startCli(['apply', '-y', '-f', p.file]);
    started.push(run);
    await run.waitForLine(FIRST_CREATE, 120_000);
    const sentAt = Date.now();
    run.child.kill('SIGINT');
    const r = await run.exited;
    const out = r.stdout + r.stderr;
    expect(r.code, out).toBe(130);
    expect(r.endedAt - sentAt).toBeLessThan(10_000);
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

describe('a second SIGINT right after the first', () => {
  const project = uniqueProject('mfrint2');
  const p = projectDir('interrupt2');
  afterAll(() => {
    cleanupProject(undefined, project);
    rmSync(p.dir, { recursive: true, force: true });
  });

  it('exits at once with 130 and a warning; the state still parses and a rerun converges', async () => {
    p.write(machinesYaml(project, [localMachine('m1')], fifteen()));
    const run = startCli(['apply', '-y', '-f', p.file]);
    started.push(run);
    await run.waitForLine(FIRST_CREATE, 120_000);
    run.child.kill('SIGINT');
    await run.waitForLine(/SIGINT received/, 5_000);
    const secondAt = Date.now();
    run.child.kill('SIGINT');
    const r = await run.exited;
    expect(r.code, r.stdout + r.stderr).toBe(130);
    // at once: without waiting for the steps in flight (a health wait alone takes longer)
    expect(r.endedAt - secondAt).toBeLessThan(2_000);
    expect(r.stderr).toContain('Warning: second SIGINT: exiting at once');
    // The exit hook drops a lock this process held, so no `state unlock` is needed.
    expect(existsSync(p.lockPath)).toBe(false);
    expectRecovers(p, project);
  }, 300_000);
});
