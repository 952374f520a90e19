// Is the process named in a lock still there? Only a "gone" we can prove lets a later run take the lock over.
import fs from 'node:fs';
import os from 'node:os';
import type { LockHolderProcess, LockInfo } from '../model/state.js';

function readOrUndefined(read: () => string): string | undefined {
  try {
    return read().trim();
  } catch {
    return undefined; // not Linux, or /proc not mounted: we cannot tell
  }
}

/** This kernel's boot and this pid namespace: pids compare only within the same pair. */
function instance(): string | undefined {
  const boot = readOrUndefined(() => fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8'));
  const ns = readOrUndefined(() => fs.readlinkSync('/proc/self/ns/pid'));
  return boot && ns ? `${boot} ${ns}` : undefined;
}

/** Field 22 of /proc/PID/stat; the command name (field 2) may hold spaces and parentheses, so count after its `)`. */
function startTicks(pid: number): number | undefined {
  const stat = readOrUndefined(() => fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[19]);
  return Number.isSafeInteger(ticks) ? ticks : undefined;
}

/** What this process writes into a lock it takes. */
export function thisProcess(): LockHolderProcess | undefined {
  const inst = instance();
  const ticks = startTicks(process.pid);
  return inst !== undefined && ticks !== undefined ? { instance: inst, startTicks: ticks } : undefined;
}

const hostOf = (who: string): string => who.split('@').slice(1).join('@');

function pidGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * - `held`: the holder's process runs on this host, or we cannot look (another host, boot or pid namespace).
 * - `gone`: proven gone: same kernel boot and pid namespace, and no process with that pid and start time.
 * - `gone-here`: no process with that pid on a host of that name, but the lock does not say which kernel or
 *   namespace it came from (an older mfile, or no /proc): a user must confirm with `mfile state unlock`.
 */
export type HolderState = 'held' | 'gone' | 'gone-here';

export function holderState(info: LockInfo): HolderState {
  if (hostOf(info.who) !== os.hostname()) return 'held';
  const recorded = info.process;
  const mine = recorded ? instance() : undefined;
  if (!recorded || mine === undefined) return pidGone(info.pid) ? 'gone-here' : 'held';
  // Another boot or pid namespace sharing this folder (a container, a shared disk): its pids mean nothing here.
  if (recorded.instance !== mine) return 'held';
  if (pidGone(info.pid)) return 'gone';
  // A live pid with another start time is a new process that reused the number.
  const ticks = startTicks(info.pid);
  return ticks !== undefined && ticks !== recorded.startTicks ? 'gone' : 'held';
}
