// A sandbox machine is stopped by killing its init; the destroy then waits for every process below it, those
// of containers in nested PID namespaces included. descendantsOf is how it finds them: the whole subtree.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { descendantsOf } from '../../src/drivers/sandbox/processes.js';

let child: ChildProcess | undefined;
afterEach(() => {
  // The shell's process group: the sleeps go with it.
  if (child?.pid) process.kill(-child.pid, 'SIGKILL');
});

it('lists every process below a pid, grandchildren included, and nothing else', async () => {
  // Two levels: the shell starts a sleep and a subshell, which starts its own sleep.
  child = spawn('sh', ['-c', 'sleep 300 & sh -c "sleep 301 & wait" & wait'], { detached: true, stdio: 'ignore' });
  const comms = async (): Promise<string[]> => {
    const { readFileSync } = await import('node:fs');
    return descendantsOf(child!.pid!).map((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      } catch {
        return '';
      }
    });
  };
  let seen: string[] = [];
  for (let i = 0; i < 100 && !seen.includes('sleep 301'); i++) {
    await new Promise((r) => setTimeout(r, 20));
    seen = await comms();
  }
  expect(seen.sort()).toEqual(['sh -c sleep 301 & wait', 'sleep 300', 'sleep 301']);
  expect(descendantsOf(process.pid)).toContain(child.pid);
});
