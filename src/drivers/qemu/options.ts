// The `qemu:` block of a machine, checked and with defaults applied (the schema checks shapes; a spec rebuilt
// from a state file did not pass through it, so the values are checked again here).
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { DriverError } from '../../errors.js';
import type { MachineSpec } from '../../model/index.js';
import { parseChecksum, type Checksum } from './checksum.js';

export type Accel = 'auto' | 'kvm' | 'tcg';

export interface PortForward {
  hostPort: number;
  guestPort: number;
}

/** network: bridge: the /24 of the bridge mfile makes (its .1 on this computer) and the VM's address in it. */
export interface BridgeOptions {
  subnet: string;
  /** First three octets, e.g. "10.213.0". */
  prefix: string;
  /** A fixed address, when given; else one is claimed from the subnet. */
  ip?: string;
}

/** Shared with sandbox machines: both kinds can sit on one bridge. */
export const DEFAULT_BRIDGE_SUBNET = '10.213.0.0/24';

export interface QemuOptions {
  /** An http(s) URL or an absolute path. */
  image: string;
  isUrl: boolean;
  checksum?: Checksum;
  cpus: number;
  memoryMiB: number;
  diskBytes: number;
  network: 'user' | 'bridge';
  /** Set for network: bridge. */
  bridge?: BridgeOptions;
  accel: Accel;
  forwards: PortForward[];
}

const UNITS: Record<string, number> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** "2g" -> bytes; a bare number counts in `bareUnit`. */
export function parseSize(v: unknown, bareUnit: 'm' | 'g'): number | null {
  const m = /^([0-9]+)([kKmMgGtT]?)$/.exec(String(v));
  if (!m) return null;
  const n = Number(m[1]) * UNITS[(m[2] || bareUnit).toLowerCase()];
  return n > 0 && Number.isSafeInteger(n) ? n : null;
}

function port(name: string, v: string, what: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new DriverError(name, `qemu.forward: ${what} port ${v} must be 1-65535`);
  return n;
}

/** Relative paths are read from the machines.yml folder (the state folder's parent), `~/` from the home. */
export function imagePath(image: string, configDir: string): string {
  if (image === '~' || image.startsWith('~/')) return join(homedir(), image.slice(1));
  return isAbsolute(image) ? image : resolve(configDir, image);
}

function bridgeOptions(name: string, o: Record<string, unknown>): BridgeOptions {
  const subnet = typeof o.subnet === 'string' ? o.subnet : DEFAULT_BRIDGE_SUBNET;
  const sm = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.0\/24$/.exec(subnet);
  if (!sm || sm.slice(1).some((x) => Number(x) > 255)) throw new DriverError(name, `qemu.subnet must be a /24 like ${DEFAULT_BRIDGE_SUBNET}, got "${subnet}"`);
  const prefix = sm.slice(1, 4).join('.');
  const ip = typeof o.ip === 'string' ? o.ip : undefined;
  if (ip !== undefined) {
    const last = Number(ip.slice(prefix.length + 1));
    if (!ip.startsWith(prefix + '.') || !Number.isInteger(last) || !(last >= 2 && last <= 254)) {
      throw new DriverError(name, `qemu.ip ${ip} is not a host address of ${subnet} (.2 to .254)`);
    }
  }
  return { subnet, prefix, ...(ip ? { ip } : {}) };
}

export function qemuOptions(m: MachineSpec, configDir: string): QemuOptions {
  const name = m.name;
  const o = m.driverOptions ?? {};
  const raw = typeof o.image === 'string' ? o.image.trim() : '';
  if (!raw) throw new DriverError(name, 'qemu.image is required (a URL or a path of a cloud disk image)');
  const isUrl = /^https?:\/\//i.test(raw);
  if (!isUrl && /^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) throw new DriverError(name, `qemu.image ${raw}: only http(s) URLs and paths are supported`);
  const checksum = o.checksum === undefined ? undefined : parseChecksum(name, String(o.checksum));
  if (isUrl && !checksum) throw new DriverError(name, 'qemu.checksum is required when qemu.image is a URL (sha256:HEX or sha512:HEX)');
  const cpus = o.cpus === undefined ? 2 : Number(o.cpus);
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > 64) throw new DriverError(name, `qemu.cpus must be 1-64, got ${String(o.cpus)}`);
  const memory = parseSize(o.memory ?? '2g', 'm');
  if (memory === null || memory < 128 * 2 ** 20) throw new DriverError(name, `qemu.memory must be a size of at least 128m like 2g, got ${String(o.memory)}`);
  const disk = parseSize(o.disk_size ?? '20g', 'g');
  if (disk === null || disk < 2 ** 30) throw new DriverError(name, `qemu.disk_size must be a size of at least 1g like 20g, got ${String(o.disk_size)}`);
  const network = o.network ?? 'user';
  if (network !== 'user' && network !== 'bridge') throw new DriverError(name, `qemu.network "${String(network)}" is not supported (user or bridge)`);
  const bridge = network === 'bridge' ? bridgeOptions(name, o) : undefined;
  if (network === 'user' && (o.subnet !== undefined || o.ip !== undefined)) throw new DriverError(name, 'qemu.subnet and qemu.ip apply to network: bridge only');
  if (network === 'bridge' && o.forward !== undefined) throw new DriverError(name, 'qemu.forward applies to network: user only (on a bridge, the machine\'s ports are reachable at its address)');
  const accel = o.accel ?? 'auto';
  if (accel !== 'auto' && accel !== 'kvm' && accel !== 'tcg') throw new DriverError(name, `qemu.accel must be auto, kvm or tcg, got "${String(accel)}"`);
  const forwards: PortForward[] = [];
  for (const f of Array.isArray(o.forward) ? o.forward : []) {
    const fm = /^([0-9]+):([0-9]+)$/.exec(String(f));
    if (!fm) throw new DriverError(name, `qemu.forward "${String(f)}" must be HOST_PORT:GUEST_PORT`);
    forwards.push({ hostPort: port(name, fm[1], 'host'), guestPort: port(name, fm[2], 'guest') });
  }
  return {
    image: isUrl ? raw : imagePath(raw, configDir),
    isUrl,
    checksum,
    cpus,
    memoryMiB: Math.ceil(memory / 2 ** 20),
    diskBytes: disk,
    network,
    ...(bridge ? { bridge } : {}),
    accel,
    forwards,
  };
}
