// Crash safety (see helpers/crash-safety.ts) on three sandbox machines (namespace + sshd + dockerd each, mutual
// TLS), created from nothing every cycle: after each converged cycle and each destroy, nothing of the project is
// left (namespaces, mounts, processes, addresses, bridge). Prints the headline `crash-safety: N/N converged, ...`.
//   RELIABILITY_SANDBOX_CRASH_KILLS (default 20) kills.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { SANDBOX } from '../helpers/prerequisites.js';
import { SANDBOX_RUN_DIR } from '../../src/drivers/sandbox/host-lock.js';
import { sandboxNames, sandboxOptions } from '../../src/drivers/sandbox/options.js';
import { alive, pidsInPidNs } from '../../src/drivers/sandbox/processes.js';
import { sandboxDriver, type SandboxData } from '../../src/drivers/sandbox/index.js';
import type { MachineSpec } from '../../src/model/index.js';
import { clientCertPaths } from '../../src/remote/tls/store.js';
import { describeCrashSafety, lines, type CrashMachines } from './helpers/crash-safety.js';
import { stateExists, type MachineDef } from './helpers/project.js';
import { claimedAddresses, processesMentioning } from './helpers/sandbox-leftovers.js';
import { netnsList, projectNetns, removeProjectDir, sandboxProject, type SandboxProject } from './helpers/sandbox-project.js';

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
        // The state letter says whether it was dying in the kernel (D) or running on (S, R).
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
        return `${pid} [${state}] ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim().slice(0, 120)}`;
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
