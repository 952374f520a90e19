// `mfile state unlock ID` as a user meets it: an apply killed with SIGKILL leaves its lock behind, the next
// command names the lock and its dead holder, a wrong id is refused and the right one frees the state.
// Runs against the local engine (root, dockerd).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, mfileSpawn } from '../helpers/cli.js';
import { cliProject, type CliProject } from '../helpers/cli-project.js';
import { cleanupProject, ensureTestImages, labelled } from '../helpers/image.js';

const containerExists = (name: string): boolean =>
  execFileSync('docker', ['ps', '-a', '--format', '{{.Names}}', '--filter', `name=^${name}$`], { encoding: 'utf8' }).trim() === name;

describe('mfile state unlock removes the lock of an mfile killed mid-apply', () => {
  const project = `mfu${process.pid}`;
  let p: CliProject;
  let lockId = '';
  let holderPid = 0;
  const lockFile = (): string => `${p.stateFile}.lock`;

  beforeAll(() => {
    ensureTestImages();
    ensureBuilt();
    p = cliProject('unlock');
    // The gate never turns healthy, so the apply is still running (and holding the lock) when it is killed.
    p.write(`version: 1
project: ${project}
machines:
  m1: { driver: local }
containers:
  gate:
    machine: m1
    image: mfile-test/busybox:1
    command: ["sleep", "3600"]
    init: true
    healthcheck: { test: ["CMD", "test", "-f", "/never"], interval: 1s, retries: 600 }
  app:
    machine: m1
    image: mfile-test/busybox:1
    command: ["sleep", "3600"]
    init: true
    depends_on: { gate: { condition: service_healthy } }
`);
  }, 180_000);

  afterAll(() => cleanupProject(project));

  it('an apply killed with SIGKILL leaves its lock, and the next plan names it and its dead holder', async () => {
    const child = mfileSpawn(['apply', '-f', 'machines.yml', '-y'], { cwd: p.dir });
    const exited = new Promise((r) => child.once('exit', r));
    // Wait (on what the user could see, not on a clock) until the apply holds the lock and waits on the gate.
    for (let i = 0; i < 2400 && !(existsSync(lockFile()) && containerExists(`${project}-gate`)); i++) await new Promise((r) => setTimeout(r, 25));
    expect(child.exitCode).toBeNull();
    const held = JSON.parse(readFileSync(lockFile(), 'utf8')) as { id: string; pid: number; operation: string };
    expect(held.pid).toBe(child.pid);
    child.kill('SIGKILL');
    await exited;
    ({ id: lockId, pid: holderPid } = held);

    const r = p.run(['plan']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`lock id ${lockId}`);
    expect(r.stderr).toContain(`process ${holderPid} that took it is no longer running on this host`);
    expect(r.stderr).toContain(`mfile state unlock ${lockId}`);
    expect(existsSync(lockFile())).toBe(true);
  }, 120_000);

  it('a wrong lock id is refused and the lock stays', () => {
    const wrong = '00000000-0000-4000-8000-000000000000';
    const r = p.run(['state', 'unlock', wrong]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`lock id ${wrong} does not match`);
    expect(r.stderr).toContain(`whose id is ${lockId}`);
    expect(JSON.parse(readFileSync(lockFile(), 'utf8')).id).toBe(lockId);
    expect(p.run(['plan']).code).toBe(1);
  });

  it('the right lock id removes the lock and the next plan and apply run', () => {
    const r = p.run(['state', 'unlock', lockId]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Lock ${lockId} removed.`);
    expect(existsSync(lockFile())).toBe(false);
    const plan = p.run(['plan']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/container\.app\[m1\]/);
    // The state is usable for writing again: destroy takes the lock, removes what the killed apply made, and frees it.
    const destroy = p.run(['destroy', '-y']);
    expect(destroy.code, destroy.stderr + destroy.stdout).toBe(0);
    expect(labelled(project).containers).toEqual([]);
    expect(existsSync(lockFile())).toBe(false);
  }, 120_000);
});
