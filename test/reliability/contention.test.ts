// Ten `mfile apply -y` on one state at once: the lock lets exactly one write; the rest fail at once naming the
// holder, or with --lock-timeout wait for it and then find nothing to do. No lost or doubled state writes.
import { existsSync, mkdirSync, readFileSync, rmSync, watch } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, runCli, startCli, type CliProcess } from './helpers/cli-process.js';
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

/** The lock file's holder now, or undefined (no lock, or caught between create and write). */
function holderNow(lockPath: string): LockFileInfo | undefined {
  try {
    return JSON.parse(readFileSync(lockPath, 'utf8')) as LockFileInfo;
  } catch {
    return undefined;
  }
}

/**
 * Every distinct holder of the lock until `until` settles, read on each inotify event of the state folder (no
 * sampling interval to fall between). Each holder is frozen (SIGSTOP) while its lock file is read and then let
 * go, so a holder can never release between the event and the read.
 */
async function watchLock(lockPath: string, ours: ReadonlySet<number>, until: Promise<unknown>): Promise<LockFileInfo[]> {
  const seen = new Map<string, LockFileInfo>();
  const look = (): void => {
    const h = holderNow(lockPath);
    if (!h || seen.has(h.id)) return;
    if (!ours.has(h.pid)) {
      seen.set(h.id, h); // not ours: recorded (the test fails on it), never signalled
      return;
    }
    try {
      process.kill(h.pid, 'SIGSTOP'); // one of the CLIs this test started, by its pid
    } catch {
      return; // gone already: it released and exited between the event and the read
    }
    const again = holderNow(lockPath);
    if (again?.id === h.id) seen.set(h.id, h);
    process.kill(h.pid, 'SIGCONT');
  };
  const watcher = watch(dirname(lockPath), look);
  look();
  try {
    await until;
  } finally {
    watcher.close();
  }
  return [...seen.values()];
}

/** Resolves with the lock's holder once a lock file with one exists (inotify, no polling interval). */
function firstHolder(lockPath: string): Promise<LockFileInfo> {
  return new Promise((resolve) => {
    const watcher = watch(dirname(lockPath), () => check());
    const check = (): void => {
      const h = holderNow(lockPath);
      if (h) {
        watcher.close();
        resolve(h);
      }
    };
    check();
  });
}

const started: CliProcess[] = [];

beforeAll(() => {
  ensureCliBuilt();
  ensureTestImage();
}, 300_000);

afterAll(() => {
  for (const p of started) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
});

/** The state file's text, or a marker when there is none yet. */
function stateBytes(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '(no state file)';
}

describe('ten applies racing for one state', () => {
  const project = uniqueProject('mfrcon');
  const proj: ProjectDir = projectDir('contention');
  let serialAfterRound1 = 0;

  afterAll(() => {
    cleanupProject(undefined, project);
    rmSync(proj.dir, { recursive: true, force: true });
  });

  it('round 1: exactly one runs; the other nine exit 1 at once naming the holder', async () => {
    proj.write(machinesYaml(project, machines, chain()));
    mkdirSync(dirname(proj.lockPath), { recursive: true });
    const holderSeen = firstHolder(proj.lockPath);
    const procs = Array.from({ length: RACERS }, () => startCli(['apply', '-y', '-f', proj.file]));
    started.push(...procs);
    // The first holder is frozen while it holds the lock: the other nine must all give up while it cannot
    // possibly finish, which is what "at once" means, with no clock involved.
    const holder = await holderSeen;
    const holderProc = procs.find((p) => p.pid === holder.pid);
    expect(holderProc, `lock held by pid ${holder.pid}, not one of ours`).toBeDefined();
    process.kill(holder.pid, 'SIGSTOP');
    const others = procs.filter((p) => p !== holderProc);
    // While the holder is frozen only a loser could change the state file: its bytes (or its absence) from the
    // moment of the freeze must be what is there once all nine have exited. (Comparing the final serial with a
    // lone run's would not do: the winner coalesces its writes, so their number follows its timing.)
    const stateAtFreeze = stateBytes(proj.statePath);
    let losers;
    let stateAfterLosers: string;
    try {
      losers = await Promise.all(others.map((p) => p.exited));
      stateAfterLosers = stateBytes(proj.statePath);
    } finally {
      process.kill(holder.pid, 'SIGCONT');
    }
    const winner = await holderProc!.exited;
    expect(winner.code, winner.stderr).toBe(0);
    expect(winner.stdout).toContain('Apply complete!');
    expect(holder.operation).toBe('apply');
    for (const l of losers) {
      expect(l.code, l.stderr).toBe(1);
      const m = LOCK_ERROR.exec(l.stderr);
      expect(m, l.stderr).not.toBeNull();
      const [, who, pid, op, since, id] = m!;
      expect({ who, pid: Number(pid), op, since, id }).toEqual({ who: holder.who, pid: holder.pid, op: 'apply', since: holder.created, id: holder.id });
      expect(Number.isNaN(Date.parse(since))).toBe(false);
      expect(l.stdout).not.toContain('Apply complete!');
    }

    expect(existsSync(proj.lockPath)).toBe(false);
    // Losers wrote nothing.
    expect(stateAfterLosers).toBe(stateAtFreeze);
    serialAfterRound1 = readStateFile(proj.statePath).serial;
    expect(serialAfterRound1).toBeGreaterThan(0);
    expect(countByName(undefined, project)).toEqual({ c0: 1, c1: 1, c2: 1, c3: 1, c4: 1 });
    const plan = runCli(['plan', '--detailed-exitcode', '-f', proj.file]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  }, 240_000);

  it('round 2: with --lock-timeout 60s all ten wait their turn, print "No changes." and write nothing', async () => {
    const procs = Array.from({ length: RACERS }, () => startCli(['apply', '-y', '--lock-timeout', '60s', '-f', proj.file]));
    started.push(...procs);
    const all = Promise.all(procs.map((p) => p.exited));
    const [results, holders] = await Promise.all([all, watchLock(proj.lockPath, new Set(procs.map((p) => p.pid)), all)]);
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
