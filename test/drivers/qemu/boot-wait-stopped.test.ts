// A guest that qemu keeps but will never run again (KVM stopped it, it panicked, a disk error paused it) ends the
// boot wait at once with why, instead of after the 15-minute boot timeout. Shown with a real qemu (emulated, so
// it runs the same on any computer) whose guest reports a panic through qemu's pvpanic device.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stoppedForGood, waitForSsh } from '../../../src/drivers/qemu/boot-wait.js';

let dir: string;
let qemu: ChildProcess;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'mfile-boot-wait-'));
  // mov al,1; mov dx,0x505; out dx,al (pvpanic: "panicked"); hlt; jmp back to hlt. Then the boot signature.
  const sector = Buffer.alloc(512);
  Buffer.from([0xb0, 0x01, 0xba, 0x05, 0x05, 0xee, 0xf4, 0xeb, 0xfd]).copy(sector);
  sector[510] = 0x55;
  sector[511] = 0xaa;
  writeFileSync(path.join(dir, 'panic.img'), sector);
  writeFileSync(path.join(dir, 'console.log'), 'SeaBIOS\nBooting from Floppy...\n');
  qemu = spawn('qemu-system-x86_64', [
    '-accel', 'tcg', '-display', 'none', '-nodefaults', '-no-user-config', '-m', '16',
    '-device', 'pvpanic', '-action', 'panic=pause', // pause, as qemu does on a KVM internal error
    '-qmp', `unix:${path.join(dir, 'qmp.sock')},server=on,wait=off`,
    '-drive', `file=${path.join(dir, 'panic.img')},format=raw,if=floppy`,
  ], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(path.join(dir, 'qmp.sock')); i++) await sleep(100);
});

afterAll(() => {
  qemu?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

it('stops waiting for SSH as soon as qemu says the guest will not run again, and says why', async () => {
  const t0 = Date.now();
  const wait = waitForSsh('vm1', qemu.pid!, { host: '127.0.0.1', port: 9 }, { consoleLog: path.join(dir, 'console.log'), qmpSocket: path.join(dir, 'qmp.sock') });
  await expect(wait).rejects.toThrow('vm1: the guest panicked while it booted; console: SeaBIOS | Booting from Floppy...');
  expect(Date.now() - t0).toBeLessThan(30_000);
  expect(qemu.exitCode).toBeNull(); // qemu kept the guest: only its run state told
});

it('names a KVM internal error and what to set instead', () => {
  expect(stoppedForGood('internal-error')).toBe("KVM stopped the guest with an internal error: this computer's KVM cannot run it (set qemu.accel: tcg)");
  expect(stoppedForGood('running')).toBeUndefined();
  expect(stoppedForGood('prelaunch')).toBeUndefined();
});
