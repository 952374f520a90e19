// network: bridge. The VM's NIC is a tap device on the same kind of bridge sandbox machines use (one per /24,
// holding .1, with its FORWARD rule and address files shared through the sandbox's host lock), so both kinds
// can share a subnet. The guest's static address comes from the seed's network-config (no DHCP server).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { allocateIp, ensureBridge, releaseIp, releaseIpsOf, removeBridgeIfUnused } from '../sandbox/network.js';
import { sandboxNames, type SandboxNames, type SandboxOptions } from '../sandbox/options.js';
import { run } from '../sandbox/run.js';
import type { BridgeOptions } from './options.js';

export interface BridgeNames {
  bridge: string;
  gateway: string;
  /** At most 15 characters (IFNAMSIZ). */
  tap: string;
  /** Fixed per machine: the seed's network-config finds the NIC by it. */
  mac: string;
}

function sandboxView(o: BridgeOptions): SandboxOptions {
  return { subnet: o.subnet, prefix: o.prefix, ip: o.ip };
}

function netNames(stateDir: string, machine: string, o: BridgeOptions): SandboxNames {
  return sandboxNames(stateDir, machine, sandboxView(o));
}

export function bridgeNames(stateDir: string, machine: string, o: BridgeOptions): BridgeNames {
  const h = createHash('sha256').update(`${stateDir}\0${machine}`).digest('hex');
  const n = netNames(stateDir, machine, o);
  // 52:54:00 is qemu's prefix (locally administered range in practice); the rest from the machine's identity.
  const mac = `52:54:00:${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}`;
  return { bridge: n.bridge, gateway: n.gateway, tap: `mft${h.slice(0, 8)}`, mac };
}

export function owner(stateDir: string, machine: string): string {
  return `${stateDir}\0${machine}`;
}

export function claimAddress(stateDir: string, machine: string, o: BridgeOptions): Promise<string> {
  return allocateIp(machine, owner(stateDir, machine), sandboxView(o));
}

/** The bridge (made if missing) and the machine's tap on it; idempotent, so every boot can run it. */
export async function ensureTap(stateDir: string, machine: string, o: BridgeOptions): Promise<BridgeNames> {
  const b = bridgeNames(stateDir, machine, o);
  await ensureBridge(machine, netNames(stateDir, machine, o), async () => {
    if (!existsSync(`/sys/class/net/${b.tap}`)) await run(machine, 'ip', ['tuntap', 'add', 'dev', b.tap, 'mode', 'tap']);
    await run(machine, 'ip', ['link', 'set', b.tap, 'master', b.bridge, 'up']);
  });
  return b;
}

/** Tap, address and (when no other machine is on it) the bridge with its FORWARD rule. */
export async function releaseBridge(stateDir: string, machine: string, o: BridgeOptions, ip: string | undefined): Promise<void> {
  const b = bridgeNames(stateDir, machine, o);
  if (existsSync(`/sys/class/net/${b.tap}`)) await run(machine, 'ip', ['link', 'del', b.tap], { check: false });
  if (ip) await releaseIp(sandboxView(o), ip, owner(stateDir, machine));
  else await releaseIpsOf(sandboxView(o), owner(stateDir, machine));
  await removeBridgeIfUnused(machine, netNames(stateDir, machine, o));
}
