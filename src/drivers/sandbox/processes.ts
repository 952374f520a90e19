// The machine's processes, all started here and stopped by pid: the init (tini, PID 1 of the machine's own
// PID namespace) and everything below it (sshd, dockerd, containerd, containers).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DriverError } from '../../errors.js';
import { INIT_SCRIPT } from './init-script.js';
import { alive } from '../process-alive.js';

export { alive };

export const TINI = ['/usr/bin/tini', '/usr/bin/tini-static', '/usr/sbin/tini'];

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Pids (host numbering) of every process in the PID namespace whose init is initPid. */
export function pidsInPidNs(initPid: number): number[] {
  let ns: string;
  try {
    ns = readlinkSync(`/proc/${initPid}/ns/pid`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readlinkSync(`/proc/${e}/ns/pid`) === ns) out.push(Number(e));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/**
 * Pids of every process below `root` in the process tree. Containers run in PID namespaces nested in the
 * machine's, which pidsInPidNs does not list; their processes (a container's init, a `runc init` still
 * setting one up) are all descendants of the machine's init.
 */
export function descendantsOf(root: number): number[] {
  const kids = new Map<number, number[]>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${e}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = kids.get(ppid);
    if (list) list.push(Number(e));
    else kids.set(ppid, [Number(e)]);
  }
  const out: number[] = [];
  for (let i = 0, queue = [root]; i < queue.length; i++) {
    for (const k of kids.get(queue[i]) ?? []) {
      out.push(k);
      queue.push(k);
    }
  }
  return out;
}

export interface InitPids {
  /** The unshare process in the root PID namespace (killing it kills the machine: --kill-child). */
  outerPid: number;
  /** tini, PID 1 inside the machine. */
  initPid: number;
}

/** Start the machine's init and wait until sshd has been started inside (or the init died). */
export async function startInit(machine: string, dir: string, netns: string, hostname: string): Promise<InitPids> {
  const tini = TINI.find((p) => existsSync(p));
  if (!tini) throw new DriverError(machine, 'tini is not installed (apt-get install tini)');
  const script = join(dir, 'init.sh');
  writeFileSync(script, INIT_SCRIPT, { mode: 0o700 });
  await rm(join(dir, 'init.ready'), { force: true });
  const log = openSync(join(dir, 'init.log'), 'a', 0o600);
  const child = spawn(
    'nsenter',
    [`--net=/run/netns/${netns}`, 'unshare', '--mount', '--uts', '--pid', '--fork', '--kill-child', '--mount-proc',
      '--propagation', 'private', '--', tini, '-s', '--', '/bin/sh', script, dir, hostname],
    { detached: true, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  child.unref();
  const outerPid = child.pid;
  if (!outerPid) throw new DriverError(machine, 'could not start the machine init (nsenter)');
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (existsSync(join(dir, 'init.ready'))) break;
    if (!alive(outerPid) || Date.now() > deadline) {
      const tail = readFileSync(join(dir, 'init.log'), 'utf8').trim().split('\n').slice(-5).join(' | ');
      await killTree(outerPid, children(outerPid)[0]);
      throw new DriverError(machine, `machine init failed: ${tail || 'no output'}`);
    }
    await sleep(20);
  }
  const initPid = children(outerPid)[0];
  if (!initPid) throw new DriverError(machine, 'machine init has no process');
  return { outerPid, initPid };
}

async function waitGone(pids: number[], ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (pids.some(alive)) {
    if (Date.now() > deadline) return false;
    await sleep(25);
  }
  return true;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * Stop the machine: dockerd first with SIGTERM (it stops its containers and containerd), then the init with
 * SIGKILL, which makes the kernel kill every process left in the machine's PID namespace.
 */
export async function stopMachine(initPid: number | undefined, outerPid: number | undefined, graceMs = 10_000): Promise<void> {
  if (alive(initPid)) {
    const dockerds = pidsInPidNs(initPid!).filter((p) => comm(p) === 'dockerd');
    dockerds.forEach((p) => signal(p, 'SIGTERM'));
    await waitGone(dockerds, graceMs);
  }
  await killTree(outerPid, initPid);
}

/**
 * Stop inits of this machine folder that no record knows: started by an mfile killed before it saved their pids.
 * They are found by the init script's path on their command line (the outer unshare and tini carry it).
 */
export async function stopStrayInits(dir: string): Promise<void> {
  const script = join(dir, 'init.sh');
  const outers: number[] = [];
  const inits: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    try {
      if (!readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').includes(script) || !alive(pid)) continue;
    } catch {
      continue; // exited meanwhile
    }
    const c = comm(pid);
    if (c === 'tini' || c === 'tini-static') inits.push(pid);
    else if (c === 'unshare' || c === 'nsenter') outers.push(pid);
  }
  for (const o of outers) await killTree(o, children(o)[0]);
  for (const i of inits) if (alive(i)) await killTree(undefined, i);
}

async function killTree(outerPid: number | undefined, initPid: number | undefined): Promise<void> {
  // The kernel kills the containers' nested namespaces with the machine's: wait for those processes too, so that
  // a destroy ends with nothing of the machine left running.
  const inside = initPid && alive(initPid) ? [...new Set([...pidsInPidNs(initPid), ...descendantsOf(initPid)])] : [];
  // The init first: its parent (unshare) reaps it and exits by itself. Killing unshare first would orphan
  // tini to the box's PID 1, which may never reap it.
  if (initPid) signal(initPid, 'SIGKILL');
  await waitGone(inside, 10_000);
  if (outerPid && !(await waitGone([outerPid], 2000))) {
    signal(outerPid, 'SIGKILL');
    await waitGone([outerPid], 5000);
  }
}
