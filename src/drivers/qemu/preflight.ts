// Cheap checks before a machine is made or started: the qemu binaries (by Debian package) and the memory.
import { constants, readFileSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { DriverError } from '../../errors.js';

export const QEMU_BINARY = 'qemu-system-x86_64';

const PACKAGES: Record<string, string> = { [QEMU_BINARY]: 'qemu-system-x86', 'qemu-img': 'qemu-utils', 'ssh-keygen': 'openssh-client' };

async function onPath(bin: string): Promise<string | undefined> {
  for (const d of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const p = join(d, bin);
    try {
      await access(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** Throws naming the first missing binary and the Debian package that has it. */
export async function checkBinaries(machine: string): Promise<void> {
  for (const [bin, pkg] of Object.entries(PACKAGES)) {
    if (!(await onPath(bin))) throw new DriverError(machine, `${bin} is not installed: apt-get install ${pkg}`);
  }
}

/** MemAvailable of /proc/meminfo in MiB, or undefined where there is none. */
export function availableMemoryMiB(meminfo?: string): number | undefined {
  let text = meminfo;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/meminfo', 'utf8');
    } catch {
      return undefined;
    }
  }
  const m = /^MemAvailable:\s+(\d+) kB/m.exec(text);
  return m ? Math.floor(Number(m[1]) / 1024) : undefined;
}

export function checkMemory(machine: string, wantMiB: number, availableMiB = availableMemoryMiB()): void {
  if (availableMiB !== undefined && wantMiB > availableMiB) {
    throw new DriverError(machine, `not enough memory: qemu.memory is ${wantMiB} MiB but this computer has ${availableMiB} MiB available`);
  }
}
