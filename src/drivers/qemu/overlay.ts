// The machine's disk: a copy-on-write qcow2 overlay of disk_size over the base image, which is only read.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DriverError } from '../../errors.js';

const run = promisify(execFile);

export interface ImageInfo {
  format: string;
  virtualSize: number;
}

function firstLine(e: unknown): string {
  const err = e as { stderr?: string; message?: string };
  return (err.stderr || err.message || String(e)).split('\n').map((l) => l.trim()).filter(Boolean)[0] ?? 'failed';
}

export async function imageInfo(machine: string, image: string): Promise<ImageInfo> {
  try {
    const { stdout } = await run('qemu-img', ['info', '--output=json', image]);
    const j = JSON.parse(stdout) as { format?: string; 'virtual-size'?: number };
    if (!j.format) throw new Error('no format');
    return { format: j.format, virtualSize: Number(j['virtual-size'] ?? 0) };
  } catch (e) {
    throw new DriverError(machine, `qemu.image ${image} is not a disk image qemu-img can read: ${firstLine(e)}`);
  }
}

/** The argv of `qemu-img create` for the overlay (pure, for tests). */
export function overlayArgv(base: string, baseFormat: string, overlay: string, sizeBytes: number): string[] {
  return ['create', '-q', '-f', 'qcow2', '-F', baseFormat, '-b', base, overlay, String(sizeBytes)];
}

export async function createOverlay(machine: string, base: string, overlay: string, sizeBytes: number): Promise<void> {
  const info = await imageInfo(machine, base);
  if (sizeBytes < info.virtualSize) {
    const gib = (n: number) => `${Math.ceil(n / 2 ** 30)}g`;
    throw new DriverError(machine, `qemu.disk_size ${gib(sizeBytes)} is smaller than the image (${gib(info.virtualSize)})`);
  }
  try {
    await run('qemu-img', overlayArgv(base, info.format, overlay, sizeBytes));
  } catch (e) {
    throw new DriverError(machine, `qemu-img could not create the disk ${overlay}: ${firstLine(e)}`);
  }
}
