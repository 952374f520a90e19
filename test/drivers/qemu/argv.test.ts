// The qemu command line: exact arguments, since that is what runs.
import { describe, expect, it } from 'vitest';
import { qemuArgv } from '../../../src/drivers/qemu/argv.js';
import { overlayArgv } from '../../../src/drivers/qemu/overlay.js';

const launch = {
  name: 'mfile-vm1',
  accel: 'tcg' as const,
  cpus: 2,
  memoryMiB: 1024,
  overlay: '/p/.mfile/machines/vm1/disk.qcow2',
  seedDir: '/p/.mfile/machines/vm1/seed',
  qmpSocket: '/p/.mfile/machines/vm1/qmp.sock',
  pidFile: '/p/.mfile/machines/vm1/qemu.pid',
  consoleLog: '/p/.mfile/machines/vm1/console.log',
  sshPort: 40022,
  enginePort: 40376,
  guestEnginePort: 2376,
  forwards: [{ hostPort: 18080, guestPort: 8080 }],
};

describe('qemuArgv', () => {
  it('runs detached with a pid file, QMP socket, overlay, cidata seed and loopback-only forwards', () => {
    expect(qemuArgv(launch)).toEqual([
      '-name', 'mfile-vm1',
      '-accel', 'tcg',
      '-smp', '2',
      '-m', '1024',
      '-nodefaults', '-no-user-config',
      '-display', 'none',
      '-serial', 'file:/p/.mfile/machines/vm1/console.log',
      '-drive', 'file=/p/.mfile/machines/vm1/disk.qcow2,format=qcow2,if=virtio',
      '-drive', 'driver=vvfat,dir=/p/.mfile/machines/vm1/seed,label=cidata,if=virtio,readonly=on',
      '-netdev', 'user,id=net0,hostfwd=tcp:127.0.0.1:40022-:22,hostfwd=tcp:127.0.0.1:40376-:2376,hostfwd=tcp:127.0.0.1:18080-:8080',
      '-device', 'virtio-net-pci,netdev=net0',
      '-device', 'virtio-rng-pci',
      '-qmp', 'unix:/p/.mfile/machines/vm1/qmp.sock,server=on,wait=off',
      '-pidfile', '/p/.mfile/machines/vm1/qemu.pid',
      '-daemonize',
    ]);
  });

  it('network: bridge attaches the tap mfile made (no helper scripts) with the MAC the seed names, and forwards nothing', () => {
    const a = qemuArgv({ ...launch, tap: { ifname: 'mft0123abcd', mac: '52:54:00:01:23:ab' } });
    expect(a.slice(a.indexOf('-netdev'), a.indexOf('-netdev') + 4)).toEqual([
      '-netdev', 'tap,id=net0,ifname=mft0123abcd,script=no,downscript=no',
      '-device', 'virtio-net-pci,netdev=net0,mac=52:54:00:01:23:ab',
    ]);
    expect(a.join(' ')).not.toContain('hostfwd');
  });

  it('passes the host CPU with KVM and doubles commas in paths', () => {
    const a = qemuArgv({ ...launch, accel: 'kvm', overlay: '/a,b/disk.qcow2' });
    expect(a.slice(2, 6)).toEqual(['-accel', 'kvm', '-cpu', 'host']);
    expect(a).toContain('file=/a,,b/disk.qcow2,format=qcow2,if=virtio');
  });

  it('makes the overlay over the base image in its own format', () => {
    expect(overlayArgv('/cache/base.img', 'raw', '/m/disk.qcow2', 20 * 2 ** 30)).toEqual([
      'create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', '/cache/base.img', '/m/disk.qcow2', String(20 * 2 ** 30),
    ]);
  });
});
