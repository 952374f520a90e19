// Background processes of the heavy hosts, started here and stopped by their pid.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); // a zombie is dead enough
  } catch {
    return false;
  }
}

export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Every process (host pid) in the PID namespace of `pid`. */
export function pidsInPidNsOf(pid: number): number[] {
  let ns: string;
  try {
    ns = readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return [];
  }
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        return readlinkSync(`/proc/${e}/ns/pid`) === ns;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Starts argv in the background with stdout+stderr appended to logFile; returns its pid. */
export function startBackground(argv: string[], logFile: string): number {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', fd, fd], detached: true });
    child.unref();
    if (!child.pid) throw new Error(`could not start ${argv[0]}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** SIGTERM (then SIGKILL after graceMs) and wait until the pid is gone. */
export async function stopPid(pid: number, graceMs = 5000): Promise<void> {
  if (!alive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(50);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  while (alive(pid)) await sleep(50);
}

/** Resolves once host:port sends an SSH banner (sshd listening), or throws after timeoutMs. */
export async function waitForSshBanner(host: string, port: number, timeoutMs: number, stillAlive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host, port, timeout: 2000 });
      s.once('data', (b: Buffer) => {
        s.destroy();
        resolve(b.toString('latin1').startsWith('SSH-'));
      });
      s.once('timeout', () => (s.destroy(), resolve(false)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (!stillAlive()) throw new Error(`the process serving ${host}:${port} exited before SSH answered`);
    if (Date.now() > deadline) throw new Error(`no SSH banner from ${host}:${port} within ${timeoutMs / 1000}s`);
    await sleep(500);
  }
}

export function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Of `pids` (host numbering), the one that is `nsPid` inside its own PID namespace (0 when none). */
export function hostPidInNs(pids: number[], nsPid: number): number {
  for (const p of pids) {
    try {
      const m = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m && Number(m[1].trim().split(/\s+/).pop()) === nsPid) return p;
    } catch {
      /* exited meanwhile */
    }
  }
  return 0;
}
