// Ten `mfile apply -y` on one state at once: the lock lets exactly one write; the rest fail at once naming the
// holder, or with --lock-timeout wait for it and then find nothing to do. No lost or doubled state writes.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, runCli, startCli, sleep, type CliProcess } from './helpers/cli-process.js';
import { cleanupProject, countByName, ensureTestImage } from './helpers/docker.js';
import { LOCK_ERROR, localMachine, machinesYaml, projectDir, readStateFile, uniqueProject, type ContainerDef, type ProjectDir } from './helpers/project.js';

const RACERS = 10;
const machines = [localMachine('m1')];

/** Five containers, two health gates deep, so the one apply holds the lock for a few seconds. */
function chain(): ContainerDef[] {
  return Array.from({ length: 5 }, (_, i): ContainerDef => ({
    name: `c${i}`,
    machine: 'm1',
    health: i < 2,
    dependsOn: i === 0 ? undefined : { [i === 1 ? 'c0' : 'c1']: 'service_healthy' },
  }));
}

interface LockFileInfo {
  id: string;
  operation: string;
  who: string;
  pid: number;
  created: string;
}

/** Polls the lock file until the processes end; returns every distinct holder seen. */
async function watchLock(lockPath: string, until: Promise<unknown>): Promise<LockFileInfo[]> {
  const seen = new Map<string, LockFileInfo>();
  let over = false;
  void until.finally(() => (over = true));
  while (!over) {
    try {
      const info = JSON.parse(readFileSync(lockPath, 'utf8')) as LockFileInfo;
      seen.set(info.id, info);
    } catch {
      // no lock right now, or caught between create and write
    }
    await sleep(15);
  }
  return [...seen.values()];
}

const started: CliProcess[] = [];

beforeAll(() => {
  ensureCliBuilt();
  ensureTestImage();
}, 300_000);

afterAll(() => {
  for (const p of started) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
});

describe('ten applies racing for one state', () => {
  const project = uniqueProject('mfrcon');
  const refProject = uniqueProject('mfrconref');
  const proj: ProjectDir = projectDir('contention');
  const ref: ProjectDir = projectDir('contention-ref');
  let refSerial = 0;
  let serialAfterRound1 = 0;

  afterAll(() => {
    cleanupProject(undefined, project);
    cleanupProject(undefined, refProject);
    rmSync(proj.dir, { recursive: true, force: true });
    rmSync(ref.dir, { recursive: true, force: true });
  });

  it('a lone apply on a fresh copy gives the reference serial', () => {
    ref.write(machinesYaml(refProject, machines, chain()));
    const r = runCli(['apply', '-y', '-f', ref.file]);
    expect(r.code, r.stderr).toBe(0);
    refSerial = readStateFile(ref.statePath).serial;
    expect(refSerial).toBeGreaterThan(0);
  }, 180_000);

  it('round 1: exactly one runs; the other nine exit 1 at once naming the holder', async () => {
    proj.write(machinesYaml(project, machines, chain()));
    const procs = Array.from({ length: RACERS }, () => startCli(['apply', '-y', '-f', proj.file]));
    started.push(...procs);
    const all = Promise.all(procs.map((p) => p.exited));
    const [results, holders] = await Promise.all([all, watchLock(proj.lockPath, all)]);

    const winners = results.filter((r) => r.code === 0);
    const losers = results.filter((r) => r.code !== 0);
    expect(winners.length, results.map((r) => `${r.code}: ${r.stderr}`).join('\n---\n')).toBe(1);
    const winner = winners[0];
    const winnerPid = procs[results.indexOf(winner)].pid;
    expect(winner.stdout).toContain('Apply complete!');

    // The only holder ever seen is the winner; its id, user and start time are what the losers were told.
    expect(holders.map((h) => h.pid)).toEqual([winnerPid]);
    const holder = holders[0];
    expect(holder.operation).toBe('apply');
    for (const l of losers) {
      expect(l.code, l.stderr).toBe(1);
      const m = LOCK_ERROR.exec(l.stderr);
      expect(m, l.stderr).not.toBeNull();
      const [, who, op, since, id] = m!;
      expect({ who, op, since, id }).toEqual({ who: holder.who, op: 'apply', since: holder.created, id: holder.id });
      expect(Number.isNaN(Date.parse(since))).toBe(false);
      // "at once": it did not wait for the holder to finish
      expect(l.endedAt).toBeLessThan(winner.endedAt);
      expect(l.stdout).not.toContain('Apply complete!');
    }

    expect(existsSync(proj.lockPath)).toBe(false);
    serialAfterRound1 = readStateFile(proj.statePath).serial;
    // Losers wrote nothing: the state holds exactly the writes of one lone run.
    expect(serialAfterRound1).toBe(refSerial);
    expect(countByName(undefined, project)).toEqual({ c0: 1, c1: 1, c2: 1, c3: 1, c4: 1 });
    const plan = runCli(['plan', '--detailed-exitcode', '-f', proj.file]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  }, 240_000);

  it('round 2: with --lock-timeout 60s all ten wait their turn, print "No changes." and write nothing', async () => {
    const procs = Array.from({ length: RACERS }, () => startCli(['apply', '-y', '--lock-timeout', '60s', '-f', proj.file]));
    started.push(...procs);
    const all = Promise.all(procs.map((p) => p.exited));
    const [results, holders] = await Promise.all([all, watchLock(proj.lockPath, all)]);
    for (const r of results) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('No changes.');
      expect(r.stderr).not.toMatch(LOCK_ERROR);
    }
    // Each holds the lock while it refreshes, so they took turns: more than one holder, each one of ours.
    const pids = new Set(procs.map((p) => p.pid));
    expect(holders.length).toBeGreaterThan(1);
    for (const h of holders) expect(pids.has(h.pid)).toBe(true);
    expect(existsSync(proj.lockPath)).toBe(false);
    expect(readStateFile(proj.statePath).serial).toBe(serialAfterRound1);
    expect(countByName(undefined, project)).toEqual({ c0: 1, c1: 1, c2: 1, c3: 1, c4: 1 });
  }, 240_000);
});
