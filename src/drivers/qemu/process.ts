// The qemu process: started detached (-daemonize: qemu reports start-up errors, then its parent exits and the
// VM outlives mfile), found again through its pid file, and stopped by that pid only.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

/** The process is there and not a zombie. */
export function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    return !/^\d+ \(.*\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** pid is a qemu whose command line names this machine's pid file (a reused pid is someone else's). */
export function isOurQemu(pid: number | undefined, pidFile: string): boolean {
  if (!alive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(pidFile);
  } catch {
    return false;
  }
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

export async function killPid(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  await waitExit(pid, 10_000);
}
