// The qemu process is found again by its pid file only when that pid is still the qemu started with that pid
// file: a pid reused by another program is never signalled.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killPid, runningPid } from '../../../src/drivers/qemu/process.js';

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
});
