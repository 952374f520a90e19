// A second dockerd on this machine (own data root, socket and bridge, no iptables) for tests that need an
// engine other than the local one. Stopped by its own PID.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestBridge } from './test-bridge.js';

export interface SecondEngine {
  socket: string;
  stop(): Promise<void>;
}

export async function startSecondEngine(): Promise<SecondEngine> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mfile-dockerd-'));
  const socket = path.join(dir, 'docker.sock');
  const bridge = createTestBridge();
  const child = spawn(
    'dockerd',
    ['--data-root', `${dir}/data`, '--exec-root', `${dir}/exec`, '--pidfile', `${dir}/pid`, '--iptables=false', '--ip6tables=false', `--bridge=${bridge.name}`, '-H', `unix://${socket}`],
    { stdio: 'ignore', detached: false },
  );
  for (let i = 0; i < 120; i++) {
    try {
      execFileSync('docker', ['-H', `unix://${socket}`, 'version'], { stdio: 'ignore' });
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    socket,
    async stop() {
      const pid = existsSync(`${dir}/pid`) ? Number(readFileSync(`${dir}/pid`, 'utf8')) : child.pid;
      if (pid) process.kill(pid, 'SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      bridge.remove();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
