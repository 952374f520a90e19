// accel: auto. /dev/kvm can open while KVM guests still hang (nested virtualisation without the features a
// guest needs), so the probe boots a real guest: a 512-byte boot sector that writes to qemu's isa-debug-exit
// port, which ends qemu with a known code. Bounded: a guest that does not get there in time means TCG.
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface AccelChoice {
  accel: 'kvm' | 'tcg';
  /** Why, for the progress line and the plan. */
  reason: string;
}

/** mov al,0x31; out 0xf4,al; hlt; jmp $-1 — then the boot signature. qemu exits with (0x31 << 1) | 1 = 99. */
export function probeBootSector(): Buffer {
  const b = Buffer.alloc(512);
  Buffer.from([0xb0, 0x31, 0xe6, 0xf4, 0xf4, 0xeb, 0xfd]).copy(b);
  b[510] = 0x55;
  b[511] = 0xaa;
  return b;
}

export const PROBE_EXIT_CODE = 99;

function runProbe(binary: string, image: string, timeoutMs: number): Promise<number | 'timeout'> {
  return new Promise((resolve) => {
    const child = execFile(
      binary,
      ['-accel', 'kvm', '-display', 'none', '-nodefaults', '-no-user-config', '-m', '16',
        '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04', '-drive', `file=${image},format=raw,if=floppy`],
      { timeout: timeoutMs, killSignal: 'SIGKILL' },
      (err) => {
        if (!err) return resolve(0);
        const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: number | string };
        resolve(e.killed ? 'timeout' : typeof e.code === 'number' ? e.code : -1);
      },
    );
    child.stdin?.end();
  });
}

let cached: Promise<AccelChoice> | undefined;

async function probe(binary: string, timeoutMs: number): Promise<AccelChoice> {
  try {
    await access('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch {
    return { accel: 'tcg', reason: '/dev/kvm is not available' };
  }
  const dir = await mkdtemp(join(tmpdir(), 'mfile-kvm-probe-'));
  try {
    const image = join(dir, 'probe.img');
    await writeFile(image, probeBootSector());
    const code = await runProbe(binary, image, timeoutMs);
    if (code === PROBE_EXIT_CODE) return { accel: 'kvm', reason: 'a KVM probe guest ran' };
    return { accel: 'tcg', reason: code === 'timeout' ? `a KVM probe guest did not run within ${timeoutMs / 1000} s` : `a KVM probe guest failed (exit ${code})` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The accelerator the plan carries (refresh probed it), so a create does not probe again; none without a probe. */
export function plannedAccel(choices: Record<string, string> | undefined): AccelChoice | undefined {
  const accel = choices?.accel;
  if (accel !== 'kvm' && accel !== 'tcg') return undefined;
  return { accel, reason: choices?.accelReason ?? 'as planned' };
}

/** The accelerator for `accel`; the probe runs once per mfile process. */
export function chooseAccel(accel: 'auto' | 'kvm' | 'tcg', binary: string, timeoutMs = 5000): Promise<AccelChoice> {
  if (accel === 'kvm') return Promise.resolve({ accel: 'kvm', reason: 'qemu.accel: kvm' });
  if (accel === 'tcg') return Promise.resolve({ accel: 'tcg', reason: 'qemu.accel: tcg' });
  cached ??= probe(binary, timeoutMs);
  return cached;
}
