// The `sandbox:` block of a machine, and the names derived from it. Names carry a hash of the state folder
// and machine name so two projects on one box never share a namespace or veth.
import { createHash } from 'node:crypto';
import { DriverError } from '../../errors.js';
import type { MachineSpec } from '../../model/index.js';

export const DEFAULT_SUBNET = '10.213.0.0/24';

export interface SandboxOptions {
  /** A /24; its .1 is the bridge's address. */
  subnet: string;
  /** First three octets, e.g. "10.213.0". */
  prefix: string;
  /** A fixed address, when given. */
  ip?: string;
}

export function sandboxOptions(m: MachineSpec): SandboxOptions {
  const o = m.driverOptions ?? {};
  const subnet = typeof o.subnet === 'string' ? o.subnet : DEFAULT_SUBNET;
  const sm = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.0\/24$/.exec(subnet);
  if (!sm || sm.slice(1).some((x) => Number(x) > 255)) {
    throw new DriverError(m.name, `sandbox.subnet must be a /24 like ${DEFAULT_SUBNET}, got "${subnet}"`);
  }
  const prefix = sm.slice(1, 4).join('.');
  const ip = typeof o.ip === 'string' ? o.ip : undefined;
  if (ip !== undefined) {
    const last = Number(ip.slice(prefix.length + 1));
    if (!ip.startsWith(prefix + '.') || !(last >= 2 && last <= 254)) {
      throw new DriverError(m.name, `sandbox.ip ${ip} is not a host address of ${subnet} (.2 to .254)`);
    }
  }
  return { subnet, prefix, ip };
}

export interface SandboxNames {
  netns: string;
  veth: string;
  bridge: string;
  gateway: string;
}

function short(s: string, n: number): string {
  return createHash('sha256').update(s).digest('hex').slice(0, n);
}

export function sandboxNames(stateDir: string, machine: string, opts: SandboxOptions): SandboxNames {
  const h = short(`${stateDir}\0${machine}`, 8);
  const hex = opts.prefix
    .split('.')
    .map((x) => Number(x).toString(16).padStart(2, '0'))
    .join('');
  return {
    netns: `mfile-${machine.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40)}-${h.slice(0, 6)}`,
    veth: `mfv${h}`,
    bridge: `mfbr${hex}`,
    gateway: `${opts.prefix}.1`,
  };
}

/** The address a machine name prefers, so the same name tends to get the same IP run after run. */
export function preferredHost(machine: string): number {
  return 2 + (parseInt(short(machine, 8), 16) % 253);
}
