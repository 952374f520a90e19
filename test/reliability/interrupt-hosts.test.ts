// Ctrl-C while an apply creates three sandbox machines (once during the machines' creation, once during the
// containers'): exit 130 within 10 s of the signal, the lock released, state.json valid; a rerun converges; and after destroy nothing is left of the project on this box (no network
// namespace, no process, no mount, no claimed address), including what the interrupted run had started.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeNeeding, SANDBOX } from '../helpers/prerequisites.js';
import { CALL_TIMEOUT_MS } from '../../src/apply/steps/common.js';
import { ensureCliBuilt } from './helpers/cli-process.js';
import { ensureTestImage, TEST_IMAGE } from './helpers/docker.js';
import { readStateFile, uniqueProject } from './helpers/project.js';
import {
  destroyProject,
  dockerOn,
  netnsList,
  projectNetns,
  projectPids,
  removeProjectDir,
  sandboxProject,
  stillAlive,
  type SandboxProject,
} from './helpers/sandbox-project.js';
import { claimedAddresses, processesMentioning } from './helpers/sandbox-leftovers.js';

const MACHINES = ['i1', 'i2', 'i3'];
const CONTAINERS = MACHINES.flatMap((m) => [`web-${m}`, `side-${m}`]);

function config(project: string): string {
  const out = ['version: 1', `project: ${project}`, 'machines:'];
  for (const m of MACHINES) out.push(`  ${m}: { driver: sandbox }`);
  out.push('containers:');
  for (const c of CONTAINERS) {
    out.push(
      `  ${c}:`,
      `    machine: ${c.split('-')[1]}`,
      `    image: ${TEST_IMAGE}`,
      '    command: ["httpd", "-f", "-p", "80", "-h", "/www"]',
      '    restart: unless-stopped',
      '    stop_grace_period: 1s',
    );
  }
  return out.join('\n') + '\n';
}

const WIND_DOWN_BOUND_MS = 15_000 + 90_000 + 60_000 + 2 * CALL_TIMEOUT_MS;

describeNeeding(SANDBOX)('SIGINT while an apply creates three sandbox machines', () => {
  const project = uniqueProject('mfrinth');
  let p: SandboxProject;
  const pids = new Set<number>();
  const remember = (): void => {
    projectPids(p).forEach((pid) => pids.add(pid));
    processesMentioning(p.dir).forEach((pid) => pids.add(pid));
  };

  beforeAll(() => {
    ensureCliBuilt();
    ensureTestImage();
    p = sandboxProject('inth');
    p.write(config(project));
  }, 300_000);

  afterAll(async () => {
    if (!p) return;
    try {
      await destroyProject(p, MACHINES);
    } finally {
      removeProjectDir(p);
    }
  }, 300_000);

  /**
   * Start an apply, send SIGINT when `at` matches a line; exit 130 once the steps in flight end, lock released,
   * state valid. "Once they end" is bounded by the product's own timeouts for a machine create in flight (its
   * init 15 s, SSH 90 s, engine 60 s, and engine calls of CALL_TIMEOUT_MS), not by how fast this box is today.
   */
  async function interruptAt(at: RegExp): Promise<string> {
    const run = p.start(['apply', '-y']);
    await run.waitForLine(at, 180_000);
    remember();
    run.child.kill('SIGINT');
    const killer = setTimeout(() => run.child.kill('SIGKILL'), WIND_DOWN_BOUND_MS);
    const r = await run.exited.finally(() => clearTimeout(killer));
    const out = r.stdout + r.stderr;
    expect(r.signal, `still running ${WIND_DOWN_BOUND_MS} ms after SIGINT:\n${out}`).toBeNull();
    expect(r.code, out).toBe(130);
    expect(out).toMatch(/interrupted/i);
    expect(readdirSync(path.dirname(p.lockPath))).not.toContain(path.basename(p.lockPath));
    readStateFile(p.statePath);
    remember();
    return out;
  }

  it('SIGINT while the machines are being created: exit 130 after the steps in flight, lock released, state valid', async () => {
    await interruptAt(/machine\.i\d\/create .*creating sandbox machine/);
  }, 400_000);

  it('SIGINT again while the containers are being created: the same', async () => {
    await interruptAt(/container\.\S+ creating/);
  }, 400_000);

  it('a rerun converges: apply exit 0, then plan --detailed-exitcode exit 0', async () => {
    const again = await p.cli(['apply', '-y'], { timeoutMs: 400_000 });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    // The interrupts left work undone: this run had something to add.
    expect(again.stdout).toMatch(/Resources: [1-9]\d* added/);
    const plan = await p.cli(['plan', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    for (const m of MACHINES) {
      const names = dockerOn(p, m, ['ps', '--filter', `label=io.mfile.project=${project}`, '--format', '{{.Label "io.mfile.name"}}'])
        .split('\n')
        .filter(Boolean)
        .sort();
      expect(names, m).toEqual([`side-${m}`, `web-${m}`]);
    }
    remember();
  }, 500_000);

  it('after destroy no namespace, process, mount or address of the project is left', async () => {
    remember();
    expect(pids.size).toBeGreaterThan(0);
    const r = await destroyProject(p, MACHINES);
    expect(r?.code, r ? r.stdout + r.stderr : 'destroy did not run').toBe(0);
    const left = netnsList();
    for (const ns of projectNetns(p, MACHINES)) expect(left).not.toContain(ns);
    expect(stillAlive([...pids])).toEqual([]);
    expect(processesMentioning(p.dir)).toEqual([]);
    expect(readFileSync('/proc/self/mounts', 'utf8')).not.toContain(p.dir);
    expect(claimedAddresses(p.stateDir)).toEqual([]);
  }, 300_000);
});
