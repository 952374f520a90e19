// SIGKILL `mfile apply` at seeded random moments of a multi-engine apply (depends_on, health checks). After every
// kill: the state parses, the next apply takes over the killed run's lock (one line) and converges, and
// every declared container exists exactly once on its engine with nothing undeclared left behind.
//   local + own dockerd:  RELIABILITY_CRASH_KILLS (default 10)
//   sandbox machines:     RELIABILITY_SANDBOX_CRASH_KILLS (default 30)
// Every cycle always runs: a slow, loaded box takes longer but proves the same count. The only time bound is a
// hang guard per CLI run (CLI_GUARD_MS), from which the test's own timeout is derived.
//   RELIABILITY_SEED (default 20261123) replays a schedule.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeNeeding, SANDBOX, type Prerequisite } from '../helpers/prerequisites.js';
import { SANDBOX_RUN_DIR } from '../../src/drivers/sandbox/host-lock.js';
import { sandboxNames, sandboxOptions } from '../../src/drivers/sandbox/options.js';
import { alive, pidsInPidNs } from '../../src/drivers/sandbox/processes.js';
import { sandboxDriver, type SandboxData } from '../../src/drivers/sandbox/index.js';
import type { MachineSpec } from '../../src/model/index.js';
import { clientCertPaths } from '../../src/remote/tls/store.js';
import { ensureCliBuilt, runCli, startCli, sleep, type CliProcess, type CliResult } from './helpers/cli-process.js';
import { cleanupProject, ensureTestImage, removeProjectContainers } from './helpers/docker.js';
import { startOwnDockerd, type OwnDockerd } from './helpers/own-dockerd.js';
import { claimedAddresses, processesMentioning } from './helpers/sandbox-leftovers.js';
import {
  LOCK_ERROR, LOCK_TAKEOVER, localMachine, machinesYaml, noneMachine, projectDir, readStateFile, seededRandom, stateExists, uniqueProject,
  type ContainerDef, type MachineDef, type ProjectDir,
} from './helpers/project.js';
import { netnsList, projectNetns, removeProjectDir, sandboxProject, type SandboxProject } from './helpers/sandbox-project.js';

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
  /** Print the issue's headline `crash-safety: N/N converged, ...` (one set does; others prefix their label). */
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
  problems: string[];
  ms: number;
}

const lines = (s: string): string[] => s.split('\n').map((l) => l.trim()).filter(Boolean);

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
      for (let cycle = 1; cycle <= kills && failuresInARow < 3; cycle++) {
        const cycleStart = Date.now();
        const problems: string[] = [];
        const hadState = stateExists(p.statePath);
        const killAfterMs = Math.round(random() * fullMs);
        running = startCli(args(['apply', '-y']), { cwd: p.dir });
        await sleep(killAfterMs);
        running.child.kill('SIGKILL');
        await running.exited;
        const tKill = Date.now();

        if (stateExists(p.statePath)) {
          try {
            readStateFile(p.statePath);
          } catch (err) {
            problems.push((err as Error).message);
          }
        } else if (hadState) problems.push('state.json vanished');

        const rec = await recover(cli);
        problems.push(...rec.problems);
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
        results.push({ cycle, killAfterMs, converged, duplicates: a.duplicates, orphans: a.orphans, staleLock: rec.staleLock, problems, ms });
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
      // The kills must have left stale locks for the takeover to be proven at all.
      expect(staleLocks).toBeGreaterThan(0);
    }, testGuardMs(kills));
  });
}

// The local engine and a dockerd of our own reached with driver none.
describeCrashSafety(
  'local + own dockerd',
  async (): Promise<CrashMachines> => {
    const dd: OwnDockerd = await startOwnDockerd('crash');
    return { machines: [localMachine('local'), noneMachine('own', dd.url, dd.host)], dispose: () => dd.dispose() };
  },
  {
    kills: Number(process.env.RELIABILITY_CRASH_KILLS ?? 10),
  },
);

// ---- Three sandbox machines (namespace + sshd + dockerd each, mutual TLS), created from nothing every cycle ----

const SANDBOX_MACHINES = ['c1', 'c2', 'c3'];
/** A subnet of its own: 10.213.41/42 belong to other suites that may run at the same time. */
const SANDBOX_SUBNET = '10.213.43.0/24';
const SANDBOX_BRIDGE = sandboxNames('', 'c1', sandboxOptions({ name: 'c1', driverOptions: { subnet: SANDBOX_SUBNET } } as unknown as MachineSpec)).bridge;

function sandboxMachine(name: string): MachineDef {
  // No network of their own: the health checks probe 127.0.0.1, and a bridge per container would only slow cycles.
  return { name, yaml: `{ driver: sandbox, sandbox: { subnet: ${SANDBOX_SUBNET} } }`, host: undefined, containerKeys: ['network_mode: none'], networks: [] };
}

const mountsUnder = (dir: string): string[] =>
  lines(readFileSync('/proc/self/mounts', 'utf8'))
    .map((l) => l.split(' ')[1].replace(/\\040/g, ' '))
    .filter((mp) => mp === dir || mp.startsWith(dir + '/'));

function sandboxSet(): CrashMachines {
  const sp: SandboxProject = sandboxProject('crash');
  const machineData = (): Map<string, Partial<SandboxData>> => {
    if (!stateExists(sp.statePath)) return new Map();
    return new Map(Object.entries(sp.state().machines).map(([m, r]) => [m, r.driverData as Partial<SandboxData>]));
  };
  /** Every pid a machine of this project was ever seen with: none may outlive a destroy. */
  const seenPids = new Set<number>();
  const remember = (): void => {
    for (const d of machineData().values()) {
      if (d.outerPid) seenPids.add(d.outerPid);
      if (d.initPid) {
        seenPids.add(d.initPid);
        pidsInPidNs(d.initPid).forEach((pid) => seenPids.add(pid));
      }
    }
  };
  const leaks = (): string[] => {
    const problems: string[] = [];
    const data = machineData();
    remember();
    const live = new Set<number>();
    for (const [m, d] of data) {
      if (!alive(d.initPid)) problems.push(`machine ${m}: init ${d.initPid} is not running after convergence`);
      else pidsInPidNs(d.initPid!).forEach((pid) => live.add(pid));
      if (d.outerPid) live.add(d.outerPid);
    }
    const inState = new Set([...data.values()].map((d) => d.netns));
    const listed = new Set(netnsList());
    // Namespace names derive from the state folder and machine name: any of ours listed must be a machine's in the state.
    for (const ns of projectNetns(sp, SANDBOX_MACHINES)) {
      if (listed.has(ns) && !inState.has(ns)) problems.push(`namespace ${ns} belongs to no machine in the state`);
    }
    for (const [m, d] of data) if (!d.netns || !listed.has(d.netns)) problems.push(`machine ${m}: namespace ${d.netns} is not listed`);
    const liveDirs = [...data.keys()].map((m) => path.join(sp.stateDir, 'machines', m));
    for (const mp of mountsUnder(sp.dir)) {
      if (!liveDirs.some((d) => mp === d || mp.startsWith(d + '/'))) problems.push(`mount ${mp} belongs to no live machine`);
    }
    const strays = processesMentioning(sp.dir).filter((pid) => !live.has(pid));
    if (strays.length) problems.push(`processes outside every live machine: ${describePids(strays)}`);
    const ips = new Set([...data.values()].map((d) => d.ip));
    for (const ip of claimedAddresses(sp.stateDir)) if (!ips.has(ip)) problems.push(`address ${ip} claimed by no machine in the state`);
    return problems;
  };
  const afterDestroy = (): string[] => {
    const problems: string[] = [];
    const listed = new Set(netnsList());
    for (const ns of projectNetns(sp, SANDBOX_MACHINES)) if (listed.has(ns)) problems.push(`namespace ${ns} left after destroy`);
    for (const mp of mountsUnder(sp.dir)) problems.push(`mount ${mp} left after destroy`);
    const left = [...new Set([...seenPids, ...processesMentioning(sp.dir)])].filter((pid) => alive(pid));
    if (left.length) problems.push(`processes left after destroy: ${describePids(left)}`);
    for (const ip of claimedAddresses(sp.stateDir)) problems.push(`address ${ip} still claimed after destroy`);
    // The subnet is this run's alone, so its bridge goes with the last machine.
    if (existsSync(`/sys/class/net/${SANDBOX_BRIDGE}`)) problems.push(`bridge ${SANDBOX_BRIDGE} left after destroy`);
    seenPids.clear();
    return problems;
  };
  /** A failed cycle's leftovers: a stale lock dropped, destroy again, then whatever is left through the driver. */
  const forceClean = async (): Promise<void> => {
    rmSync(sp.lockPath, { force: true });
    // Not the shared destroyProject helper: its driver fallback assumes the default subnet.
    await sp.cli(['destroy', '-y'], { timeoutMs: 300_000 }).catch(() => undefined);
    const driver = sandboxDriver();
    for (const m of SANDBOX_MACHINES) {
      // The subnet matters here: the address file and bridge are found through it.
      const spec = { name: m, driver: 'sandbox', driverOptions: { subnet: SANDBOX_SUBNET } } as unknown as MachineSpec;
      const netns = projectNetns(sp, [m])[0];
      const driverData = machineData().get(m) ?? { netns };
      await driver.remove({ machine: spec, driverData, ctx: { stateDir: sp.stateDir, project: 'cleanup' } }).catch(() => undefined);
    }
    for (const pid of processesMentioning(sp.dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    for (const ip of claimedAddresses(sp.stateDir)) rmSync(path.join(SANDBOX_RUN_DIR, 'ips', ip.split('.').slice(0, 3).join('.'), ip), { force: true });
  };
  return {
    machines: SANDBOX_MACHINES.map(sandboxMachine),
    dir: sp,
    engineArgs(machine) {
      const c = clientCertPaths(sp.stateDir);
      return ['--tlsverify', '--tlscacert', c.ca, '--tlscert', c.cert, '--tlskey', c.key, '-H', `tcp://${sp.data(machine).ip}:2376`];
    },
    async reset() {
      remember();
      const d = await sp.cli(['destroy', '-y'], { timeoutMs: 300_000 });
      const problems = d.code === 0 ? [] : [`destroy exited ${d.code}: ${(d.stdout + d.stderr).trim().split('\n').slice(-4).join(' | ')}`];
      problems.push(...afterDestroy());
      // Leftovers would poison the next cycles: clear them (they are counted already).
      if (problems.length) await forceClean();
      return problems;
    },
    leaks,
    async dispose() {
      remember();
      await forceClean();
      const left = afterDestroy();
      removeProjectDir(sp);
      if (left.length) throw new Error(`sandbox crash run left: ${left.join('; ')}`);
    },
  };
}

function describePids(pids: number[]): string {
  return pids
    .map((pid) => {
      try {
        return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim().slice(0, 120)}`;
      } catch {
        return `${pid}`;
      }
    })
    .join(', ');
}

describeCrashSafety('3 sandbox machines', async () => sandboxSet(), {
  // 20 in CI keeps the whole run under its hour now that VMs, swarms and clouds have e2e tests; set more to soak.
  kills: Number(process.env.RELIABILITY_SANDBOX_CRASH_KILLS ?? 20),
  headline: true,
  needs: SANDBOX,
});
