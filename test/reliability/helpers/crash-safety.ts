// The crash-safety proof, for any machine set: SIGKILL `mfile apply` at seeded random moments of a multi-engine
// apply (depends_on, health checks). After every kill: the state parses, the next apply takes over the killed
// run's lock (one line) and converges, and every declared container exists exactly once on its engine
// with nothing undeclared left behind. Every cycle always runs: a slow, loaded box takes longer but proves the
// same count. The only time bound is a hang guard per CLI run (CLI_GUARD_MS), from which the test's own timeout
// is derived. RELIABILITY_SEED (default 20261123) replays a schedule.
// The machine sets are separate files (crash-safety.test.ts, crash-safety-engines.test.ts) so that CI can run them
// side by side: they share no engine, subnet or project.
import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeNeeding, type Prerequisite } from '../../helpers/prerequisites.js';
import { ensureCliBuilt, startCli, sleep, type CliProcess, type CliResult } from './cli-process.js';
import { cleanupProject, ensureTestImage, removeProjectContainers } from './docker.js';
import {
  LOCK_ERROR, LOCK_TAKEOVER, machinesYaml, projectDir, readStateFile, seededRandom, stateExists, uniqueProject,
  type ContainerDef, type MachineDef, type ProjectDir,
} from './project.js';

const SEED = Number(process.env.RELIABILITY_SEED ?? 20261123);
const CONTAINERS = 20;
/** A CLI run that has not ended after this long is hung: killed, and its cycle fails by what it left. */
const CLI_GUARD_MS = 400_000;
/**
 * The test's timeout is a hang guard only: the clean run plus, per cycle, the killed run and at most three guarded
 * CLI runs (unlock, apply, plan) and a reset. A cycle normally takes seconds; this bound is never a speed target.
 */
const testGuardMs = (kills: number): number => CLI_GUARD_MS * (2 + kills * 5);
const execFileP = promisify(execFile);

/** A machine set for the crash run; `dispose` stops whatever `setup` started. */
export interface CrashMachines {
  machines: MachineDef[];
  /** The project folder (default: a fresh folder under the OS temp dir). */
  dir?: ProjectDir;
  /** docker CLI global options reaching a machine's engine (default: `-H host`, or the root engine). */
  engineArgs?(machine: string): string[];
  /**
   * Brings the machines back to nothing before the next cycle, returns what went wrong. Default: the project's
   * containers removed behind mfile's back, and one time in four a real `mfile destroy`.
   */
  reset?(random: () => number): Promise<string[]>;
  /** After a converged cycle: what this set leaked that an engine audit does not see (namespaces, mounts...). */
  leaks?(): string[];
  dispose(): Promise<void>;
}

export interface CrashOptions {
  kills: number;
  /** Print the headline `crash-safety: N/N converged, ...` (one set does; others prefix their label). */
  headline?: boolean;
  /** What the machines need; missing ones skip the set (fail it under CI). */
  needs?: Prerequisite[];
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
  /** The killed run's lock was still on disk after the kill (the kill fell between acquire and release). */
  lockLeft: boolean;
  problems: string[];
  ms: number;
}

export const lines = (s: string): string[] => s.split('\n').map((l) => l.trim()).filter(Boolean);

/** Labelled containers, networks and volumes of the project on one engine (three docker calls at once). */
async function engineObjects(args: string[], project: string): Promise<{ containers: string[][]; networks: string[]; volumes: string[] }> {
  const f = `label=io.mfile.project=${project}`;
  const d = async (a: string[]): Promise<string[]> => lines((await execFileP('docker', [...args, ...a], { encoding: 'utf8', timeout: 60_000 })).stdout);
  const [c, n, v] = await Promise.all([
    d(['ps', '-a', '--filter', f, '--format', '{{.ID}}\t{{.Label "io.mfile.machine"}}\t{{.Label "io.mfile.name"}}']),
    d(['network', 'ls', '--filter', f, '--format', '{{.Name}}']),
    d(['volume', 'ls', '--filter', f, '--format', '{{.Name}}']),
  ]);
  return { containers: c.map((l) => l.split('\t')), networks: n, volumes: v };
}

/** What the engines hold against what machines.yml declares. */
async function audit(
  project: string,
  set: CrashMachines,
  containers: ContainerDef[],
): Promise<{ duplicates: number; orphans: number; problems: string[] }> {
  let duplicates = 0;
  let orphans = 0;
  const problems: string[] = [];
  const argsOf = (m: MachineDef): string[] => set.engineArgs?.(m.name) ?? (m.host ? ['-H', m.host] : []);
  // Several machines may share one engine (e.g. two none machines on one socket): audit each engine once.
  const engines = new Map<string, { args: string[]; ms: MachineDef[] }>();
  for (const m of set.machines) {
    const args = argsOf(m);
    const key = args.join(' ');
    engines.set(key, { args, ms: [...(engines.get(key)?.ms ?? []), m] });
  }
  const listed = await Promise.all(
    [...engines.values()].map(async (e) => {
      try {
        return { ...e, objects: await engineObjects(e.args, project) };
      } catch (err) {
        problems.push(`engine of ${e.ms.map((m) => m.name).join(',')} does not answer: ${(err as Error).message.split('\n')[0]}`);
        return undefined;
      }
    }),
  );
  for (const e of listed) {
    if (!e) continue;
    const where = e.ms.map((m) => m.name).join('+');
    const names = new Set(e.ms.map((m) => m.name));
    const declared = new Set(containers.filter((c) => names.has(c.machine)).map((c) => `${c.machine}/${c.name}`));
    const seen = new Map<string, number>();
    for (const [id, machine, name] of e.objects.containers) {
      const key = `${machine}/${name}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      if (!declared.has(key)) {
        orphans++;
        problems.push(`undeclared container ${key} (${id}) on ${where}`);
      }
    }
    for (const key of declared) {
      const n = seen.get(key) ?? 0;
      if (n === 0) problems.push(`missing container ${key} on ${where}`);
      if (n > 1) {
        duplicates += n - 1;
        problems.push(`${n} containers for ${key} on ${where}`);
      }
    }
    const nets = new Set(e.ms.flatMap((m) => m.networks).map((n) => `${project}_${n}`));
    for (const n of e.objects.networks.filter((x) => !nets.has(x))) {
      orphans++;
      problems.push(`undeclared network ${n} on ${where}`);
    }
    for (const v of e.objects.volumes) {
      orphans++;
      problems.push(`undeclared volume ${v} on ${where}`);
    }
  }
  return { duplicates, orphans, problems };
}

/** The user's recovery after a crash: apply, which takes over the lock the killed run left, saying so in one line. */
async function recover(cli: (args: string[]) => Promise<CliResult>): Promise<{ ok: boolean; staleLock: boolean; problems: string[] }> {
  const problems: string[] = [];
  const r = await cli(['apply', '-y']);
  const staleLock = LOCK_TAKEOVER.test(r.stderr);
  if (LOCK_ERROR.test(r.stderr)) problems.push(`the lock of the killed run was not taken over: ${r.stderr.trim()}`);
  if (r.stderr.split('\n').filter((l) => l.includes('took over the state lock')).length > 1) problems.push(`more than one takeover line: ${r.stderr.trim()}`);
  if (r.code !== 0) {
    // The failed steps' own lines first (they say why), then the end of the output.
    const lines = (r.stdout + r.stderr).trim().split('\n');
    const failures = lines.filter((l) => / failed\b/.test(l) && !/ skipped: /.test(l)).slice(0, 6);
    problems.push(`recovery apply exited ${r.code}: ${[...failures, ...lines.slice(-6)].join(' | ')}`);
  }
  const plan = await cli(['plan', '--detailed-exitcode']);
  if (plan.code !== 0) {
    const summary = plan.stdout.split('\n').filter((l) => /^\s+# |^Plan:|^Error/.test(l)).join(' | ');
    problems.push(`plan --detailed-exitcode exited ${plan.code} after recovery: ${summary || plan.stderr.trim()}`);
  }
  return { ok: problems.length === 0, staleLock, problems };
}

export function describeCrashSafety(label: string, setup: () => Promise<CrashMachines>, opts: CrashOptions): void {
  const { kills } = opts;
  const tag = opts.headline ? 'crash-safety' : `crash-safety (${label})`;
  describeNeeding(opts.needs ?? [])(`crash safety: SIGKILL during apply (${label})`, () => {
    const project = uniqueProject('mfrcrash');
    let p: ProjectDir = undefined as unknown as ProjectDir;
    let set: CrashMachines | undefined;
    let running: CliProcess | undefined;
    const args = (a: string[]): string[] => [...a, '-f', p.file];
    const cli = async (a: string[]): Promise<CliResult> => {
      const c = startCli(args(a), { cwd: p.dir });
      const timer = setTimeout(() => c.child.kill('SIGKILL'), CLI_GUARD_MS);
      return c.exited.finally(() => clearTimeout(timer));
    };

    beforeAll(async () => {
      ensureCliBuilt();
      ensureTestImage();
      set = await setup();
      p = set.dir ?? projectDir('crash');
    }, 300_000);

    afterAll(async () => {
      if (running && running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
      for (const m of set?.machines ?? []) if (!set?.engineArgs) cleanupProject(m.host, project);
      await set?.dispose();
      if (p) rmSync(p.dir, { recursive: true, force: true });
    }, 300_000);

    it(`${kills} kills at seeded random moments (seed ${SEED}) all converge with no duplicate and no orphan`, async () => {
      const s = set!;
      const containers = crashContainers(s.machines);
      p.write(machinesYaml(project, s.machines, containers));
      const random = seededRandom(SEED);
      const reset = s.reset ?? (async (rnd: () => number): Promise<string[]> => {
        if (rnd() < 0.25 && (await cli(['destroy', '-y'])).code === 0) return [];
        for (const m of s.machines) removeProjectContainers(m.host, project);
        return [];
      });

      // One clean run sets the window the kills fall in, then the machines are emptied again.
      const t0 = Date.now();
      const full = await cli(['apply', '-y']);
      expect(full.code, full.stdout + full.stderr).toBe(0);
      const fullMs = Date.now() - t0;
      const first = await reset(random);
      expect(first, 'reset after the clean run').toEqual([]);

      const results: CycleResult[] = [];
      let failuresInARow = 0;
      // The kill window starts as the clean run's length; a run that ends before its kill (the clean run was slowed
      // by something else on the box) shrinks it to that run's length and the cycle is drawn again, so every
      // counted cycle kills a live apply. Bounded: at most as many redraws as kills.
      let windowMs = fullMs;
      let redraws = 0;
      for (let cycle = 1; cycle <= kills && failuresInARow < 3; cycle++) {
        const cycleStart = Date.now();
        const problems: string[] = [];
        const hadState = stateExists(p.statePath);
        const killAfterMs = Math.round(random() * windowMs);
        running = startCli(args(['apply', '-y']), { cwd: p.dir });
        // A run that ends before its moment is not waited for.
        await Promise.race([sleep(killAfterMs), running.exited]);
        running.child.kill('SIGKILL');
        const killed = await running.exited;
        const tKill = Date.now();
        if (killed.code === 0 && redraws < kills) {
          redraws++;
          windowMs = Math.min(windowMs, Math.round(killed.ms * 0.9));
          console.log(`${tag}: cycle ${cycle}: the apply finished before its kill at ${killAfterMs} ms; window now ${windowMs} ms, drawn again`);
          const left = await reset(random);
          if (left.length === 0) {
            cycle--;
            continue;
          }
          problems.push(...left);
        } else if (killed.signal !== 'SIGKILL') {
          problems.push(`the apply to be killed exited ${killed.code} by itself: ${(killed.stdout + killed.stderr).trim().split('\n').slice(-3).join(' | ')}`);
        }
        const lockLeft = existsSync(p.lockPath);

        if (stateExists(p.statePath)) {
          try {
            readStateFile(p.statePath);
          } catch (err) {
            problems.push((err as Error).message);
          }
        } else if (hadState) problems.push('state.json vanished');

        const rec = await recover(cli);
        problems.push(...rec.problems);
        if (lockLeft && !rec.staleLock) problems.push('the killed run left its lock and the recovery apply did not say it took it over');
        const tRecover = Date.now();
        const a = await audit(project, s, containers);
        problems.push(...a.problems);
        problems.push(...(s.leaks?.() ?? []));
        const tChecks = Date.now();
        // Every cycle starts from nothing, so the kill can land anywhere in an apply; the reset runs after the
        // last cycle too (its leak checks are the final ones).
        problems.push(...(await reset(random)));
        const ms = Date.now() - cycleStart;
        const converged = problems.length === 0;
        results.push({ cycle, killAfterMs, converged, duplicates: a.duplicates, orphans: a.orphans, staleLock: rec.staleLock, lockLeft, problems, ms });
        failuresInARow = converged ? 0 : failuresInARow + 1;
        console.log(
          `${tag}: cycle ${cycle}: kill at ${killAfterMs} ms, ${(ms / 1000).toFixed(1)} s ` +
            `(kill ${((tKill - cycleStart) / 1000).toFixed(1)}, recover ${((tRecover - tKill) / 1000).toFixed(1)}, ` +
            `checks ${((tChecks - tRecover) / 1000).toFixed(1)}, reset ${((Date.now() - tChecks) / 1000).toFixed(1)}), ` +
            (converged ? 'converged' : 'NOT converged: ' + problems.join('; ')),
        );
      }

      const converged = results.filter((r) => r.converged).length;
      const duplicates = results.reduce((n, r) => n + r.duplicates, 0);
      const orphans = results.reduce((n, r) => n + r.orphans, 0);
      const staleLocks = results.filter((r) => r.staleLock).length;
      const line = `${tag}: ${converged}/${kills} converged, ${duplicates} duplicates, ${orphans} orphans`;
      console.log(line);
      const perCycle = results.map((r) => r.ms).sort((x, y) => x - y);
      console.log(
        `${tag}: seed ${SEED}, ${s.machines.length} machines, ${CONTAINERS} containers, full apply ${fullMs} ms, ` +
          `cycle median ${((perCycle[perCycle.length >> 1] ?? 0) / 1000).toFixed(1)} s, max ${((perCycle.at(-1) ?? 0) / 1000).toFixed(1)} s, ` +
          `kills at ${results.map((r) => r.killAfterMs).join(',')} ms, ${staleLocks} stale locks taken over` +
          (results.length < kills ? `, stopped after ${results.length} cycles (3 failures in a row)` : ''),
      );
      const failures = results.filter((r) => !r.converged).map((r) => `cycle ${r.cycle} (kill at ${r.killAfterMs} ms): ${r.problems.join('; ')}`);
      expect(line, failures.join('\n')).toBe(`${tag}: ${kills}/${kills} converged, 0 duplicates, 0 orphans`);
      // The kills must have left stale locks for the takeover to be proven at all (each lock left was taken over:
      // a cycle where it was not failed above).
      const locksLeft = results.filter((r) => r.lockLeft).length;
      expect(staleLocks, `${locksLeft} of ${results.length} kills left a lock (window ${windowMs} ms of a ${fullMs} ms clean run)`).toBeGreaterThan(0);
    }, testGuardMs(kills));
  });
}

