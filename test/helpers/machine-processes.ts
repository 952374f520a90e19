// Processes inside a sandbox machine, as fault-injecting tests find and kill them.
import { readFileSync } from 'node:fs';
import { pidsInPidNs } from '../../src/drivers/sandbox/processes.js';

/** Host pids of the processes named `comm` inside a machine (sshd, dockerd, containerd...). */
export function machinePids(initPid: number, comm: string): number[] {
  return pidsInPidNs(initPid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm;
    } catch {
      return false; // exited meanwhile
    }
  });
}

/** Signals each pid; one that exited since it was listed (a session's sshd child, say) is already gone. */
export function killPids(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
}
