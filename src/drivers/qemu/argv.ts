// The qemu command line of a machine, as data: one pure function, so tests compare exact arguments.
import type { PortForward } from './options.js';

export interface QemuLaunch {
  /** mfile-<machine>, shown by ps and in qemu's window title. */
  name: string;
  accel: 'kvm' | 'tcg';
  cpus: number;
  memoryMiB: number;
  overlay: string;
  seedDir: string;
  qmpSocket: string;
  pidFile: string;
  consoleLog: string;
  sshPort: number;
  enginePort: number;
  /** The guest port the engine listens on (engine.port). */
  guestEnginePort: number;
  forwards: PortForward[];
  /** network: bridge: the tap on mfile's bridge and the NIC's fixed MAC, instead of user networking. */
  tap?: { ifname: string; mac: string };
}

function hostfwd(hostPort: number, guestPort: number): string {
  return `hostfwd=tcp:127.0.0.1:${hostPort}-:${guestPort}`;
}

/** Commas in option values are doubled for qemu's option parser. */
function q(v: string): string {
  return v.replace(/,/g, ',,');
}

export function qemuArgv(l: QemuLaunch): string[] {
  // A tap mfile made and attached itself: no helper scripts (qemu would run /etc/qemu-ifup as root).
  const net = l.tap
    ? ['tap', 'id=net0', `ifname=${q(l.tap.ifname)}`, 'script=no', 'downscript=no']
    : ['user', 'id=net0', hostfwd(l.sshPort, 22), hostfwd(l.enginePort, l.guestEnginePort), ...l.forwards.map((f) => hostfwd(f.hostPort, f.guestPort))];
  return [
    '-name', q(l.name),
    '-accel', l.accel,
    ...(l.accel === 'kvm' ? ['-cpu', 'host'] : []),
    '-smp', String(l.cpus),
    '-m', String(l.memoryMiB),
    '-nodefaults', '-no-user-config',
    '-display', 'none',
    '-serial', `file:${l.consoleLog}`,
    '-drive', `file=${q(l.overlay)},format=qcow2,if=virtio`,
    '-drive', `driver=vvfat,dir=${q(l.seedDir)},label=cidata,if=virtio,readonly=on`,
    '-netdev', net.join(','),
    '-device', l.tap ? `virtio-net-pci,netdev=net0,mac=${l.tap.mac}` : 'virtio-net-pci,netdev=net0',
    '-device', 'virtio-rng-pci',
    '-qmp', `unix:${q(l.qmpSocket)},server=on,wait=off`,
    '-pidfile', l.pidFile,
    '-daemonize',
  ];
}
