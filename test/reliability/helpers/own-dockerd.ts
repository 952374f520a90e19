// A second dockerd of the test's own (own data/exec roots and bridge, no iptables) that a test may kill and restart.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { copyTestImage, docker } from './docker.js';
import { sleep } from './cli-process.js';
import { createTestBridge } from '../../helpers/test-bridge.js';
import { processesMentioning } from './sandbox-leftovers.js';
import { alive, descendantsOf } from '../../../src/drivers/sandbox/processes.js';

export interface OwnDockerd {
  dir: string;
  /** For `docker -H`. */
  host: string;
  /** For machines.yml `none: { url }`. */
  url: string;
  pid(): number;
  /** SIGKILL, as a crash: containers and its containerd live on. */
  kill(): Promise<void>;
  /** Starts it again on the same roots (after kill or stop). */
  start(): Promise<void>;
  /** Clean shutdown and removal of its folders. */
  dispose(): Promise<void>;
}

async function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return Promise.race([new Promise<boolean>((r) => child.once('exit', () => r(true))), sleep(ms).then(() => false)]);
}

export async function startOwnDockerd(label: string): Promise<OwnDockerd> {
  // Short path: unix socket paths are limited to 108 bytes.
  const dir = mkdtempSync(path.join(tmpdir(), `mfr-${label}-`));
  const sock = path.join(dir, 'docker.sock');
  const host = `unix://${sock}`;
  const bridge = createTestBridge();
  let child: ChildProcess | null = null;

  // The folder goes with dispose(), so a failure carries the log's last lines itself.
  const logTail = (): string => {
    try {
      return readFileSync(path.join(dir, 'dockerd.log'), 'utf8').trimEnd().split('\n').slice(-15).join('\n');
    } catch {
      return '(no log)';
    }
  };

  const start = async (): Promise<void> => {
    forgetDeadContainerd();
    const log = openSync(path.join(dir, 'dockerd.log'), 'a');
    child = spawn(
      'dockerd',
      ['--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'), '--pidfile', path.join(dir, 'pid'),
        '--iptables=false', '--ip6tables=false', `--bridge=${bridge.name}`, '-H', host],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`dockerd exited (${child.exitCode}); its log ends:\n${logTail()}`);
      try {
        docker(host, ['version', '--format', '{{.Server.Version}}'], 5_000);
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`dockerd did not answer on ${host} within 60 s; its log ends:\n${logTail()}`);
        await sleep(200);
      }
    }
  };

  /** The containerd that dockerd started; it outlives a SIGKILLed dockerd and must be stopped by its pid. */
  const containerdPid = (): number | null => {
    try {
      const n = Number(readFileSync(path.join(dir, 'exec/containerd/containerd.pid'), 'utf8').trim());
      return Number.isInteger(n) && n > 0 ? n : null;
    } catch {
      return null;
    }
  };

  // A SIGKILLed dockerd takes its containerd along (parent-death signal), but the containerd stays a zombie until
  // PID 1 reaps it. dockerd counts a zombie as a running containerd, waits for its socket and gives up; so a pid
  // file naming a dead or zombie process is removed and dockerd starts a fresh containerd.
  const forgetDeadContainerd = (): void => {
    const pid = containerdPid();
    if (pid !== null && !alive(pid)) rmSync(path.join(dir, 'exec/containerd/containerd.pid'), { force: true });
  };

  /**
   * The shims of this daemon's containers outlive a SIGKILLed dockerd and its containerd, with the container or the
   * `runc init` it was starting below them. They are this daemon's by the socket path on their command line, a
   * path in this daemon's own folder; each goes with everything below it.
   */
  const stopStrayShims = async (): Promise<void> => {
    const shims = processesMentioning(`${dir}/`);
    const all = [...new Set(shims.flatMap((pid) => [...descendantsOf(pid), pid]))];
    for (const pid of all) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    for (let i = 0; i < 100 && all.some(alive); i++) await sleep(50);
  };

  await start();
  copyTestImage(host);

  return {
    dir,
    host,
    url: host,
    pid: () => child!.pid!,
    async kill() {
      const c = child!;
      c.kill('SIGKILL');
      await waitExit(c, 10_000);
    },
    start,
    async dispose() {
      const c = child;
      if (c && c.exitCode === null && c.signalCode === null) {
        try {
          const ids = docker(host, ['ps', '-aq']).split('\n').filter(Boolean);
          if (ids.length) docker(host, ['rm', '-fv', ...ids], 120_000);
        } catch {
          // engine already unwell: the shutdown below still stops its containers
        }
        c.kill('SIGTERM');
        if (!(await waitExit(c, 30_000))) {
          c.kill('SIGKILL');
          await waitExit(c, 10_000);
        }
      }
      const ctd = containerdPid();
      if (ctd !== null && alive(ctd)) {
        process.kill(ctd, 'SIGTERM');
        for (let i = 0; i < 50 && alive(ctd); i++) await sleep(100);
        if (alive(ctd)) process.kill(ctd, 'SIGKILL');
      }
      await stopStrayShims();
      // A SIGKILLed dockerd leaves its mounts (overlay2 home, container rootfs) behind: unmount, deepest first.
      const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((m) => m?.startsWith(dir + '/'));
      for (const m of mounts.sort((a, b) => b.length - a.length)) {
        try {
          execFileSync('umount', ['-l', m], { stdio: 'ignore' });
        } catch {
          // already gone with its parent
        }
      }
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      bridge.remove();
    },
  };
}
