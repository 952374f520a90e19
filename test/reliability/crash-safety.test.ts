// SIGKILL `mfile apply` at seeded random moments of a multi-engine apply (depends_on, health checks). After every
// kill: the state parses, the stale lock is recoverable with `mfile state unlock`, the next apply converges, and
// every declared container exists exactly once on its engine with nothing undeclared left behind.
//   RELIABILITY_CRASH_KILLS (default 30), RELIABILITY_SEED (default 20261123) replay a schedule.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, runCli, startCli, sleep, type CliProcess } from './helpers/cli-process.js';
import { cleanupProject, ensureTestImage, projectContainers, projectNetworksAndVolumes, removeProjectContainers } from './helpers/docker.js';
import { startOwnDockerd, type OwnDockerd } from './helpers/own-dockerd.js';
import {
  LOCK_ERROR, localMachine, machinesYaml, noneMachine, projectDir, readStateFile, seededRandom, stateExists, uniqueProject,
  type ContainerDef, type MachineDef,
} from './helpers/project.js';

const KILLS = Number(process.env.RELIABILITY_CRASH_KILLS ?? 30);
const SEED = Number(process.env.RELIABILITY_SEED ?? 20261123);
const CONTAINERS = 20;
/** Stop starting cycles after this long, so a slow host fails with the counts so far instead of a bare timeout. */
const BUDGET_MS = Number(process.env.RELIABILITY_CRASH_BUDGET_S ?? 780) * 1000;

/** A machine set for the crash run; `dispose` stops whatever `setup` started. */
export interface CrashMachines {
  machines: MachineDef[];
  dispose(): Promise<void>;
}

/**
 * ~20 containers spread round-robin over the machines; on each machine a health-checked root, then containers
 * that wait for it to be healthy, containers that wait for the previous one to start, and plain ones.
 */
function crashContainers(machines: MachineDef[]): ContainerDef[] {
  const perMachine = new Map<string, string[]>();
  return Array.from({ length: CONTAINERS }, (_, i): ContainerDef => {
    const machine = machines[i % machines.length].name;
    const mine = perMachine.get(machine) ?? [];
    perMachine.set(machine, mine);
    const name = `k${String(i).padStart(2, '0')}`;
    const j = mine.length;
    mine.push(name);
    if (j === 0) return { name, machine, health: true };
    if (j % 3 === 1) return { name, machine, health: true, dependsOn: { [mine[0]]: 'service_healthy' } };
    if (j % 3 === 2) return { name, machine, dependsOn: { [mine[j - 1]]: 'service_started' } };
    return { name, machine };
  });
}

interface CycleResult {
  cycle: number;
  killAfterMs: number;
  converged: boolean;
  duplicates: number;
  orphans: number;
  staleLock: boolean;
  problems: string[];
}

/** What the engines hold against what machines.yml declares. */
function audit(project: string, machines: MachineDef[], containers: ContainerDef[]): { duplicates: number; orphans: number; problems: string[] } {
  let duplicates = 0;
  let orphans = 0;
  const problems: string[] = [];
  // Several machines may share one engine (e.g. two none machines on one socket): audit each engine once.
  const engines = new Map<string, MachineDef[]>();
  for (const m of machines) engines.set(m.host ?? '', [...(engines.get(m.host ?? '') ?? []), m]);
  for (const [host, ms] of engines) {
    const names = new Set(ms.map((m) => m.name));
    const declared = new Set(containers.filter((c) => names.has(c.machine)).map((c) => `${c.machine}/${c.name}`));
    const seen = new Map<string, number>();
    for (const c of projectContainers(host || undefined, project)) {
      const key = `${c.machine}/${c.name}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      if (!declared.has(key)) {
        orphans++;
        problems.push(`undeclared container ${key} (${c.id}) on ${host || 'local'}`);
      }
    }
    for (const key of declared) {
      const n = seen.get(key) ?? 0;
      if (n === 0) problems.push(`missing container ${key} on ${host || 'local'}`);
      if (n > 1) {
        duplicates += n - 1;
        problems.push(`${n} containers for ${key} on ${host || 'local'}`);
      }
    }
    const nets = new Set(ms.flatMap((m) => m.networks).map((n) => `${project}_${n}`));
    const nv = projectNetworksAndVolumes(host || undefined, project);
    for (const n of nv.networks.filter((x) => !nets.has(x))) {
      orphans++;
      problems.push(`undeclared network ${n} on ${host || 'local'}`);
    }
    for (const v of nv.volumes) {
      orphans++;
      problems.push(`undeclared volume ${v} on ${host || 'local'}`);
    }
  }
  return { duplicates, orphans, problems };
}

/** The user's recovery after a crash: apply; on a stale lock naming a dead pid, `state unlock ID`, apply again. */
function recover(file: string): { ok: boolean; staleLock: boolean; problems: string[] } {
  const problems: string[] = [];
  let r = runCli(['apply', '-y', '-f', file]);
  let staleLock = false;
  const m = LOCK_ERROR.exec(r.stderr);
  if (r.code !== 0 && m) {
    staleLock = true;
    if (!/process \d+ that took it is no longer running/.test(r.stderr)) problems.push(`lock error does not say its holder is dead: ${r.stderr.trim()}`);
    if (!r.stderr.includes(`mfile state unlock ${m[4]}`)) problems.push(`lock error does not show the unlock command: ${r.stderr.trim()}`);
    const u = runCli(['state', 'unlock', m[4], '-f', file]);
    if (u.code !== 0) problems.push(`state unlock ${m[4]} exited ${u.code}: ${u.stderr.trim()}`);
    r = runCli(['apply', '-y', '-f', file]);
  }
  if (r.code !== 0) problems.push(`recovery apply exited ${r.code}: ${(r.stdout + r.stderr).trim().split('\n').slice(-6).join(' | ')}`);
  const plan = runCli(['plan', '--detailed-exitcode', '-f', file]);
  if (plan.code !== 0) {
    const summary = plan.stdout.split('\n').filter((l) => /^\s+# |^Plan:|^Error/.test(l)).join(' | ');
    problems.push(`plan --detailed-exitcode exited ${plan.code} after recovery: ${summary || plan.stderr.trim()}`);
  }
  return { ok: problems.length === 0, staleLock, problems };
}

export function describeCrashSafety(label: string, setup: () => Promise<CrashMachines>): void {
  describe(`crash safety: SIGKILL during apply (${label})`, () => {
    const project = uniqueProject('mfrcrash');
    const p = projectDir('crash');
    let set: CrashMachines | undefined;
    let running: CliProcess | undefined;

    beforeAll(async () => {
      ensureCliBuilt();
      ensureTestImage();
      set = await setup();
    }, 300_000);

    afterAll(async () => {
      if (running && running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
      for (const m of set?.machines ?? []) cleanupProject(m.host, project);
      await set?.dispose();
      rmSync(p.dir, { recursive: true, force: true });
    }, 300_000);

    it(`${KILLS} kills at seeded random moments (seed ${SEED}) all converge with no duplicate and no orphan`, async () => {
      const machines = set!.machines;
      const containers = crashContainers(machines);
      p.write(machinesYaml(project, machines, containers));
      const random = seededRandom(SEED);

      // One clean run sets the window the kills fall in, then the engines are emptied again.
      const t0 = Date.now();
      const full = runCli(['apply', '-y', '-f', p.file]);
      expect(full.code, full.stdout + full.stderr).toBe(0);
      const fullMs = Date.now() - t0;
      for (const m of machines) removeProjectContainers(m.host, project);

      const results: CycleResult[] = [];
      let failuresInARow = 0;
      const startedAt = Date.now();
      for (let cycle = 1; cycle <= KILLS && failuresInARow < 3 && Date.now() - startedAt < BUDGET_MS; cycle++) {
        const problems: string[] = [];
        const hadState = stateExists(p.statePath);
        const killAfterMs = Math.round(random() * fullMs * 0.9);
        running = startCli(['apply', '-y', '-f', p.file]);
        await sleep(killAfterMs);
        running.child.kill('SIGKILL');
        await running.exited;

        if (stateExists(p.statePath)) {
          try {
            readStateFile(p.statePath);
          } catch (err) {
            problems.push((err as Error).message);
          }
        } else if (hadState) problems.push('state.json vanished');

        const rec = recover(p.file);
        problems.push(...rec.problems);
        const a = audit(project, machines, containers);
        problems.push(...a.problems);
        const converged = problems.length === 0;
        results.push({ cycle, killAfterMs, converged, duplicates: a.duplicates, orphans: a.orphans, staleLock: rec.staleLock, problems });
        failuresInARow = converged ? 0 : failuresInARow + 1;
        console.log(`crash-safety: cycle ${cycle}: kill at ${killAfterMs} ms, ${converged ? 'converged' : 'NOT converged: ' + problems.join('; ')}`);

        // Next cycle starts with work to do: mostly containers lost behind mfile's back, sometimes a real destroy.
        if (cycle < KILLS) {
          if (random() < 0.25) {
            const d = runCli(['destroy', '-y', '-f', p.file]);
            if (d.code !== 0) for (const m of machines) removeProjectContainers(m.host, project);
          } else for (const m of machines) removeProjectContainers(m.host, project);
        }
      }

      const converged = results.filter((r) => r.converged).length;
      const duplicates = results.reduce((s, r) => s + r.duplicates, 0);
      const orphans = results.reduce((s, r) => s + r.orphans, 0);
      const staleLocks = results.filter((r) => r.staleLock).length;
      const line = `crash-safety: ${converged}/${KILLS} converged, ${duplicates} duplicates, ${orphans} orphans`;
      console.log(line);
      console.log(
        `crash-safety: seed ${SEED}, ${machines.length} machines, ${CONTAINERS} containers, full apply ${fullMs} ms, ` +
          `kills at ${results.map((r) => r.killAfterMs).join(',')} ms, ${staleLocks} stale locks recovered with state unlock` +
          (results.length < KILLS ? `, stopped after ${results.length} cycles (3 failures in a row or the ${BUDGET_MS / 1000} s budget)` : ''),
      );
      const failures = results.filter((r) => !r.converged).map((r) => `cycle ${r.cycle} (kill at ${r.killAfterMs} ms): ${r.problems.join('; ')}`);
      expect(line, failures.join('\n')).toBe(`crash-safety: ${KILLS}/${KILLS} converged, 0 duplicates, 0 orphans`);
      // The kills must have left stale locks for the unlock path to be proven at all.
      expect(staleLocks).toBeGreaterThan(0);
    }, BUDGET_MS + 300_000);
  });
}

// The local engine and a dockerd of our own reached with driver none. (Sandbox machines: pass another setup.)
describeCrashSafety('local + own dockerd', async (): Promise<CrashMachines> => {
  const dd: OwnDockerd = await startOwnDockerd('crash');
  return { machines: [localMachine('local'), noneMachine('own', dd.url, dd.host)], dispose: () => dd.dispose() };
});
