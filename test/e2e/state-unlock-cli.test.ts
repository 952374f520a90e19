// The state lock as a user meets it: a running apply's lock refuses the next command, naming its pid and host; an
// apply killed with SIGKILL leaves its lock, which the next command takes over with a one-line notice; a lock that
// cannot be taken over (its holder on another host sharing the folder) is freed with `mfile state unlock ID`.
// Runs against the local engine (root, dockerd).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, mfileSpawn } from '../helpers/cli.js';
import { cliProject, type CliProject } from '../helpers/cli-project.js';
import { cleanupProject, ensureTestImages, labelled } from '../helpers/image.js';

const containerExists = (name: string): boolean =>
  execFileSync('docker', ['ps', '-a', '--format', '{{.Names}}', '--filter', `name=^${name}$`], { encoding: 'utf8' }).trim() === name;

describe('the state lock of a running, a killed and a foreign mfile', () => {
  const project = `mfu${process.pid}`;
  let p: CliProject;
  let lockId = '';
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

  it('a running apply refuses the next plan, naming its pid and host; killed, its lock is taken over in one line', async () => {
    const child = mfileSpawn(['apply', '-f', 'machines.yml', '-y'], { cwd: p.dir });
    const exited = new Promise((r) => child.once('exit', r));
    // Wait (on what the user could see, not on a clock) until the apply holds the lock and waits on the gate.
    for (let i = 0; i < 2400 && !(existsSync(lockFile()) && containerExists(`${project}-gate`)); i++) await new Promise((r) => setTimeout(r, 25));
    expect(child.exitCode).toBeNull();
    const held = JSON.parse(readFileSync(lockFile(), 'utf8')) as { id: string; pid: number; created: string };
    expect(held.pid).toBe(child.pid);
    const who = `${os.userInfo().username}@${os.hostname()}`;

    const refused = p.run(['plan']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`state is locked by ${who}, process ${child.pid} (apply, since ${held.created}, lock id ${held.id})`);
    expect(refused.stderr).not.toContain('took over');

    child.kill('SIGKILL');
    await exited;
    const r = p.run(['plan']);
    expect(r.code, r.stderr).toBe(0);
    const notices = r.stderr.split('\n').filter((l) => l.includes('state lock'));
    expect(notices).toEqual([
      `Warning: took over the state lock of ${who}, process ${child.pid} (apply, since ${held.created}, lock id ${held.id}): that process is no longer running`,
    ]);
    expect(r.stdout).toMatch(/container\.app\[m1\]/);
    expect(existsSync(lockFile())).toBe(false);
  }, 120_000);

  it('a lock it cannot take over (held on another host): a wrong id is refused, and the lock stays', () => {
    // What a second machine sharing this folder (a network disk) leaves while it applies.
    lockId = '3f2a9c1e-0000-4000-8000-00000000beef';
    writeFileSync(lockFile(), JSON.stringify({ id: lockId, operation: 'apply', who: 'root@another-host', pid: 4242, created: '2026-12-01T10:00:00.000Z' }));
    const plan = p.run(['plan']);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain(`state is locked by root@another-host, process 4242 (apply, since 2026-12-01T10:00:00.000Z, lock id ${lockId})`);
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
