// The machine's folder (.mfile/machines/NAME/) as the qemu driver lays it out.
import { join } from 'node:path';
import { machineDir } from '../../remote/tls/store.js';

export interface QemuFiles {
  dir: string;
  overlay: string;
  seedDir: string;
  qmpSocket: string;
  pidFile: string;
  consoleLog: string;
}

export function qemuFiles(stateDir: string, machine: string): QemuFiles {
  const dir = machineDir(stateDir, machine);
  return {
    dir,
    overlay: join(dir, 'disk.qcow2'),
    seedDir: join(dir, 'seed'),
    qmpSocket: join(dir, 'qmp.sock'),
    pidFile: join(dir, 'qemu.pid'),
    consoleLog: join(dir, 'console.log'),
  };
}
