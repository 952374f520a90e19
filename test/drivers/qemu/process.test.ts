// The qemu process is found again by its pid file only when that pid is still the qemu started with that pid
// file: a pid reused by another program is never signalled.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { alive, killPid, runningPid } from '../../../src/drivers/qemu/process.js';

/** True when something accepts a TCP connection on 127.0.0.1:port. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ host: '127.0.0.1', port });
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });
}

// Stands in for a qemu just killed: its main thread has exited (a zombie) while another thread still holds a
// listening socket, as qemu's threads do while they tear the VM down.
const ZOMBIE_LEADER = `
import ctypes, socket, sys, threading
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
def serve():
    while True:
        c, _ = s.accept(); c.close()
threading.Thread(target=serve).start()
print(s.getsockname()[1], flush=True)
ctypes.CDLL(None).pthread_exit(None)
`;

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('runningPid', () => {
  it("finds the process started with this pid file, and not a pid that belongs to another program", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mfile-qemu-pid-'));
    dirs.push(dir);
    const pidFile = join(dir, 'qemu.pid');
    // Stands in for qemu: a process whose command line names the pid file, as `qemu ... -pidfile FILE` does.
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', pidFile], { stdio: 'ignore' });
    writeFileSync(pidFile, `${child.pid}\n`);
    expect(runningPid(pidFile)).toBe(child.pid);
    // The same pid file naming this test's own process: not ours to stop.
    writeFileSync(pidFile, `${process.pid}\n`);
    expect(runningPid(pidFile)).toBeUndefined();
    writeFileSync(pidFile, `${child.pid}\n`);
    await killPid(child.pid!);
    expect(runningPid(pidFile)).toBeUndefined();
    writeFileSync(pidFile, 'garbage');
    expect(runningPid(pidFile)).toBeUndefined();
  });

  it('counts a process whose main thread exited but whose other threads still hold its sockets as running, and killPid waits for them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mfile-qemu-pid-'));
    dirs.push(dir);
    const pidFile = join(dir, 'qemu.pid');
    const child = spawn('python3', ['-c', ZOMBIE_LEADER, pidFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<number>((resolve) => child.stdout!.once('data', (b: Buffer) => resolve(Number(String(b).trim()))));
    const pid = child.pid!;
    // Until the main thread is a zombie (bounded by the test's timeout).
    while (!/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) await new Promise((r) => setTimeout(r, 20));
    expect(await answers(port)).toBe(true);
    expect(alive(pid)).toBe(true);
    writeFileSync(pidFile, `${pid}\n`);
    expect(runningPid(pidFile)).toBe(pid);
    await killPid(pid);
    expect(alive(pid)).toBe(false);
    expect(await answers(port)).toBe(false);
  }, 30_000);
});
