// Memory and accelerator choices that need no VM.
import { describe, expect, it } from 'vitest';
import { chooseAccel, plannedAccel, probeBootSector } from '../../../src/drivers/qemu/accel.js';
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

  it('probes with a boot sector that ends qemu through isa-debug-exit', () => {
    const b = probeBootSector();
    expect(b.length).toBe(512);
    expect([...b.subarray(0, 4)]).toEqual([0xb0, 0x31, 0xe6, 0xf4]); // mov al,0x31; out 0xf4,al
    expect([b[510], b[511]]).toEqual([0x55, 0xaa]);
  });
});
