// Whether a process still runs, as the lock files and the sandbox's process handling need to know it.
import { readFileSync } from 'node:fs';

/** A zombie still answers kill(0); it is dead for our purposes. */
export function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    return !/^\d+ \(.*\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
