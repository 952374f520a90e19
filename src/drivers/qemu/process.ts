// The qemu process: started detached (-daemonize: qemu reports start-up errors, then its parent exits and the
// VM outlives mfile), found again through its pid file, and stopped by that pid only.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { DriverError } from '../../errors.js';

export function readPid(pidFile: string): number | undefined {
  try {
    const n = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The threads of the process that have not exited. After SIGKILL qemu's main thread is a zombie at once, while
 * its other threads still tear down (unmapping the guest's memory) and hold its sockets open, so the forwarded
 * ports still accept connections: a process counts as gone only once no thread is left.
 */
function liveTasks(pid: number): string[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tids.filter((t) => {
    try {
      return !/^\d+ \(.*\) [ZX] /.test(readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8'));
    } catch {
      return false;
    }
  });
}

/** Some thread of the process has not exited (a zombie main thread with live threads is still running). */
export function alive(pid: number | undefined): boolean {
  return !!pid && liveTasks(pid).length > 0;
}

/** pid is a qemu whose command line names this machine's pid file (a reused pid is someone else's). */
export function isOurQemu(pid: number | undefined, pidFile: string): boolean {
  if (!pid) return false;
  // From a live thread: a zombie main thread's own cmdline reads empty.
  for (const t of liveTasks(pid)) {
    try {
      if (readFileSync(`/proc/${pid}/task/${t}/cmdline`, 'utf8').split('\0').includes(pidFile)) return true;
    } catch {
      /* that thread just exited */
    }
  }
  return false;
}

/** The running qemu of this machine, if any. */
export function runningPid(pidFile: string): number | undefined {
  const pid = readPid(pidFile);
  return isOurQemu(pid, pidFile) ? pid : undefined;
}

/** Runs qemu with -daemonize; resolves once the VM runs in the background, or throws qemu's own error line. */
export function launch(machine: string, binary: string, argv: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(binary, argv, { timeout: 60_000 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const line = String(stderr).split('\n').map((l) => l.trim()).filter((l) => l && !/module .* not found/.test(l)).pop();
      reject(new DriverError(machine, `qemu did not start: ${line ?? err.message.split('\n')[0]}`));
    });
  });
}

export async function waitExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/** SIGKILL, then wait until every thread is gone (its sockets closed); throws if that takes longer than timeoutMs. */
export async function killPid(pid: number, machine = 'qemu', timeoutMs = 60_000): Promise<void> {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  if (!(await waitExit(pid, timeoutMs))) throw new DriverError(machine, `qemu (pid ${pid}) was still exiting ${Math.round(timeoutMs / 1000)} s after SIGKILL`);
}
