// What a sandbox project may leave on this box: processes that mention its folder, and addresses its state
// folder still claims. Tests assert both are empty after a destroy, and sweep them after a failure.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SANDBOX_RUN_DIR } from '../../../src/drivers/sandbox/host-lock.js';
import { alive } from '../../../src/drivers/sandbox/processes.js';

/** Pids of live processes whose command line mentions `text` (a project folder: machine inits, sshd, dockerd). */
export function processesMentioning(text: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(text) && alive(Number(e))) out.push(Number(e));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Sandbox addresses claimed (address files under /run/mfile-sandbox/ips) by this state folder. */
export function claimedAddresses(stateDir: string): string[] {
  const out: string[] = [];
  const base = path.join(SANDBOX_RUN_DIR, 'ips');
  let prefixes: string[] = [];
  try {
    prefixes = readdirSync(base);
  } catch {
    return out;
  }
  for (const prefix of prefixes) {
    for (const ip of readdirSync(path.join(base, prefix))) {
      try {
        if (readFileSync(path.join(base, prefix, ip), 'utf8').startsWith(`${stateDir}\0`)) out.push(ip);
      } catch {
        // released meanwhile
      }
    }
  }
  return out;
}
