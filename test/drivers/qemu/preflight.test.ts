// Memory and accelerator choices that need no VM, and the KVM probe's guest run under emulation.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseAccel, plannedAccel } from '../../../src/drivers/qemu/accel.js';
import { PROBE_EXIT_CODE, probeBootSector } from '../../../src/drivers/qemu/probe-guest.js';
import { availableMemoryMiB, checkMemory } from '../../../src/drivers/qemu/preflight.js';

describe('qemu preflight', () => {
  it('refuses more memory than the computer has available', () => {
    expect(availableMemoryMiB('MemTotal: 8000000 kB\nMemAvailable:    1048576 kB\n')).toBe(1024);
    expect(() => checkMemory('vm1', 2048, 1024)).toThrow('vm1: not enough memory: qemu.memory is 2048 MiB but this computer has 1024 MiB available');
    expect(() => checkMemory('vm1', 512, 1024)).not.toThrow();
  });

  it('takes an explicit accelerator without probing', async () => {
    await expect(chooseAccel('tcg', '/nonexistent/qemu')).resolves.toEqual({ accel: 'tcg', reason: 'qemu.accel: tcg' });
    await expect(chooseAccel('kvm', '/nonexistent/qemu')).resolves.toEqual({ accel: 'kvm', reason: 'qemu.accel: kvm' });
  });

  it('takes the accelerator the plan carries (probed at refresh), and none from a plan that did not probe', () => {
    expect(plannedAccel({ accel: 'tcg', accelReason: 'a KVM probe guest did not run within 5 s' })).toEqual({ accel: 'tcg', reason: 'a KVM probe guest did not run within 5 s' });
    expect(plannedAccel({})).toBeUndefined();
    expect(plannedAccel(undefined)).toBeUndefined();
    expect(plannedAccel({ accel: 'hvf' })).toBeUndefined();
  });

  it('probes with a boot sector that goes through protected mode, an IRET and long mode, then ends qemu', () => {
    const b = probeBootSector();
    expect(b.length).toBe(512);
    expect([b[510], b[511]]).toEqual([0x55, 0xaa]);
    // Run under emulation (TCG runs every instruction as a CPU would): the guest reaches the exit port, so
    // a probe under KVM that does not has met something KVM here cannot run. Without the IRET and the mode
    // switches the sector also ended qemu, but real guests stopped where it did not go.
    const dir = mkdtempSync(path.join(tmpdir(), 'mfile-probe-sector-'));
    try {
      const image = path.join(dir, 'probe.img');
      writeFileSync(image, b);
      const r = spawnSync('qemu-system-x86_64', ['-accel', 'tcg', '-display', 'none', '-nodefaults', '-no-user-config', '-m', '16',
        '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04', '-drive', `file=${image},format=raw,if=floppy`], { timeout: 30_000, encoding: 'utf8' });
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: PROBE_EXIT_CODE, stderr: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
