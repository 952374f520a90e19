// Projects with sandbox machines for the reliability suite: a folder under .test-work (sshd's StrictModes refuses
// keys below /tmp), the CLI run async in it, the machines' pids and namespaces read from the state, and a
// destroy that leaves no namespace behind even when a test failed halfway.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sandboxDriver, type SandboxData } from '../../../src/drivers/sandbox/index.js';
import { sandboxNames, sandboxOptions } from '../../../src/drivers/sandbox/options.js';
import { alive, pidsInPidNs } from '../../../src/drivers/sandbox/processes.js';
import { MACHINE_DIR_INSIDE } from '../../../src/drivers/sandbox/sshd-config.js';
import type { MachineSpec, State } from '../../../src/model/index.js';
import { clientCertPaths } from '../../../src/remote/tls/store.js';
import { REPO_ROOT } from '../../helpers/cli.js';
import { runCliAsync, startCli, type CliProcess, type CliResult } from './cli-process.js';

export interface SandboxProject {
  dir: string;
  file: string;
  stateDir: string;
  statePath: string;
  lockPath: string;
  write(yaml: string): void;
  /** The built CLI with `-f FILE` (CI=true: plain progress lines). */
  cli(args: string[], opts?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CliResult>;
  /** The same, started in the background (to watch its output or signal it). */
  start(args: string[], opts?: { env?: NodeJS.ProcessEnv }): CliProcess;
  state(): State;
  data(machine: string): SandboxData;
}

export function sandboxProject(label: string): SandboxProject {
  const base = path.join(REPO_ROOT, '.test-work');
  mkdirSync(base, { recursive: true, mode: 0o700 });
  const dir = mkdtempSync(path.join(base, `rel-${label}-`));
  const file = path.join(dir, 'machines.yml');
  const stateDir = path.join(dir, '.mfile');
  const statePath = path.join(stateDir, 'state.json');
  const p: SandboxProject = {
    dir,
    file,
    stateDir,
    statePath,
    lockPath: `${statePath}.lock`,
    write: (y) => writeFileSync(file, y),
    // -f right after the verb: after `ssh NAME --` it would be part of the remote command.
    cli: (args, opts = {}) => runCliAsync([args[0], '-f', file, ...args.slice(1)], { cwd: dir, ...opts }),
    start: (args, opts = {}) => startCli([args[0], '-f', file, ...args.slice(1)], { cwd: dir, ...opts }),
    state: () => JSON.parse(readFileSync(statePath, 'utf8')) as State,
    data: (m) => p.state().machines[m].driverData as unknown as SandboxData,
  };
  return p;
}

/** The docker CLI against a machine's engine over mutual TLS, with the project's client certificate. */
export function dockerOn(p: SandboxProject, machine: string, args: string[], timeoutMs = 30_000): string {
  const c = clientCertPaths(p.stateDir);
  const tls = ['--tlsverify', '--tlscacert', c.ca, '--tlscert', c.cert, '--tlskey', c.key];
  return execFileSync('docker', [...tls, '-H', `tcp://${p.data(machine).ip}:2376`, ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export { killPids, machinePids } from '../../helpers/machine-processes.js';

/**
 * Start sshd again inside the machine, as its init does (same config, same namespaces). A start that fails is
 * tried again a few times (bounded: the killed daemon's exit may still be under way on a loaded box); the last
 * failure throws with sshd's own words and the end of the machine's sshd log.
 */
export function restartSshd(p: SandboxProject, machine: string): void {
  const d = p.data(machine);
  // The path inside the machine, as its init uses: the project folder itself may lie below a folder the machine
  // mounts over (/tmp, /root), where the box's path shows the machine's own folder instead.
  const cfg = path.posix.join(MACHINE_DIR_INSIDE, 'sshd_config');
  const inside = (args: string[]) =>
    spawnSync('nsenter', ['-t', String(d.initPid), '-m', '-u', '-p', '-n', '--', ...args], { encoding: 'utf8', timeout: 15_000 });
  let last = '';
  for (let attempt = 0; attempt < 10; attempt++) {
    const r = inside(['/usr/sbin/sshd', '-f', cfg, '-E', '/var/log/sshd.log']);
    if (r.status === 0) return;
    last = `exit ${r.status ?? r.signal}: ${(r.stderr ?? '').trim()} ${r.error?.message ?? ''}`;
    spawnSync('sleep', ['1']);
  }
  const log = inside(['tail', '-n', '5', '/var/log/sshd.log']).stdout?.trim() ?? '';
  throw new Error(`sshd did not start again in ${machine}: ${last}; sshd.log: ${log}`);
}

export function netnsList(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter(Boolean);
}

/** The namespace names this project's machines have or would have (derived from the state folder, not read from it). */
export function projectNetns(p: SandboxProject, machines: string[]): string[] {
  return machines.map((m) => sandboxNames(p.stateDir, m, sandboxOptions({ name: m, driverOptions: {} } as unknown as MachineSpec)).netns);
}

/** Every pid of every machine in the state right now (to check later that none outlived destroy). */
export function projectPids(p: SandboxProject): number[] {
  if (!existsSync(p.statePath)) return [];
  const out: number[] = [];
  for (const r of Object.values(p.state().machines)) {
    const d = r.driverData as Partial<SandboxData>;
    if (d.initPid) out.push(...pidsInPidNs(d.initPid));
    if (d.outerPid) out.push(d.outerPid);
  }
  return out;
}

export const stillAlive = (pids: number[]): number[] => pids.filter((pid) => alive(pid));

/**
 * `mfile destroy -y`; whatever it could not remove (a failed test's leftovers) goes through the driver directly.
 * Returns the destroy result. Never throws: this is clean-up.
 */
export async function destroyProject(p: SandboxProject, machines: string[], env?: NodeJS.ProcessEnv): Promise<CliResult | undefined> {
  let r: CliResult | undefined;
  try {
    if (existsSync(p.file)) r = await p.cli(['destroy', '-y'], { env, timeoutMs: 240_000 });
  } catch {
    // fall through to the driver
  }
  let state: State | undefined;
  try {
    state = existsSync(p.statePath) ? p.state() : undefined;
  } catch {
    state = undefined;
  }
  const driver = sandboxDriver();
  for (const m of machines) {
    const rec = state?.machines[m];
    const spec = { name: m, driver: 'sandbox', driverOptions: {} } as unknown as MachineSpec;
    const netns = projectNetns(p, [m])[0];
    const driverData = rec?.driverData ?? (netnsList().includes(netns) ? { netns } : undefined);
    if (!driverData) continue;
    await driver.remove({ machine: spec, driverData, ctx: { stateDir: p.stateDir, project: 'cleanup' } }).catch(() => undefined);
  }
  return r;
}

export function removeProjectDir(p: SandboxProject): void {
  rmSync(p.dir, { recursive: true, force: true });
}
