// The sandbox network: one bridge per subnet holding .1, a veth per machine, an address file per machine
// under /run/mfile-sandbox, and one FORWARD rule (commented) so bridged host-to-host traffic is not dropped
// by the DROP policy the root dockerd sets.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DriverError } from '../../errors.js';
import { SANDBOX_RUN_DIR, withHostLock } from './host-lock.js';
import { preferredHost, type SandboxNames, type SandboxOptions } from './options.js';
import { run, runWithInput } from './run.js';

export function forwardRuleArgs(bridge: string): string[] {
  return ['FORWARD', '-i', bridge, '-o', bridge, '-m', 'comment', '--comment', `mfile sandbox ${bridge}`, '-j', 'ACCEPT'];
}

/**
 * The bridge made if missing, with its address, up, and its FORWARD rule; then `attach` puts a machine's port on
 * it, in the same hold of the host lock. Apart, a machine removed meanwhile could find the bridge without ports
 * (this one not yet on it) and delete it, taking the new port off with it: the new machine then has no route from
 * this box (seen as an SSH handshake that never comes, when a recovery apply replaced two machines of one subnet).
 */
export async function ensureBridge(machine: string, n: SandboxNames, attach?: () => Promise<void>): Promise<void> {
  await withHostLock(async () => {
    await bridgeUp(machine, n);
    await attach?.();
  });
}

async function bridgeUp(machine: string, n: SandboxNames): Promise<void> {
  if (!existsSync(`/sys/class/net/${n.bridge}`)) await run(machine, 'ip', ['link', 'add', n.bridge, 'type', 'bridge']);
  // Every time, and idempotent: a create killed between these steps leaves a bridge without its address or
  // down, and every machine on it unreachable.
  await run(machine, 'ip', ['addr', 'replace', `${n.gateway}/24`, 'dev', n.bridge]);
  await run(machine, 'ip', ['link', 'set', n.bridge, 'up']);
  const rule = forwardRuleArgs(n.bridge);
  if ((await run(machine, 'iptables', ['-w', '-C', ...rule], { check: false })).code !== 0) {
    await run(machine, 'iptables', ['-w', '-I', rule[0], '1', ...rule.slice(1)]);
  }
}

/** Remove the bridge and its FORWARD rule when no machine is attached any more. */
export async function removeBridgeIfUnused(machine: string, n: SandboxNames): Promise<void> {
  await withHostLock(async () => {
    const ports = await readdir(`/sys/class/net/${n.bridge}/brif`).catch(() => null);
    if (ports && ports.length > 0) return;
    const rule = forwardRuleArgs(n.bridge);
    while ((await run(machine, 'iptables', ['-w', '-C', ...rule], { check: false })).code === 0) {
      await run(machine, 'iptables', ['-w', '-D', ...rule]);
    }
    if (ports) await run(machine, 'ip', ['link', 'del', n.bridge], { check: false });
  });
}

function ipDir(o: SandboxOptions): string {
  return join(SANDBOX_RUN_DIR, 'ips', o.prefix);
}

/** Claim an address: the fixed one, else the name's preferred one, else the next free. */
export async function allocateIp(machine: string, owner: string, o: SandboxOptions): Promise<string> {
  const dir = ipDir(o);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const start = o.ip ? Number(o.ip.split('.')[3]) : preferredHost(machine);
  const tries = o.ip ? 1 : 253;
  for (let i = 0; i < tries; i++) {
    const host = ((start - 2 + i) % 253) + 2;
    const ip = `${o.prefix}.${host}`;
    const f = join(dir, ip);
    try {
      await writeFile(f, owner, { flag: 'wx' });
      return ip;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if ((await readFile(f, 'utf8').catch(() => '')) === owner) return ip; // ours from an earlier attempt
    }
  }
  throw new DriverError(machine, o.ip ? `sandbox address ${o.ip} is taken by another machine` : `no free address left in ${o.subnet}`);
}

export async function releaseIp(o: SandboxOptions, ip: string, owner: string): Promise<void> {
  const f = join(ipDir(o), ip);
  if ((await readFile(f, 'utf8').catch(() => '')) === owner) await rm(f, { force: true });
}

/** Release whatever this owner still claims (a create killed before it could record its address). */
export async function releaseIpsOf(o: SandboxOptions, owner: string): Promise<void> {
  for (const ip of await readdir(ipDir(o)).catch(() => [] as string[])) await releaseIp(o, ip, owner);
}

/** The namespace with its veth end as eth0, the address and a default route via the bridge (made if missing). */
export async function createNetns(machine: string, n: SandboxNames, ip: string): Promise<void> {
  if (existsSync(`/run/netns/${n.netns}`)) await run(machine, 'ip', ['netns', 'del', n.netns], { check: false });
  await run(machine, 'ip', ['link', 'del', n.veth], { check: false });
  await run(machine, 'ip', ['netns', 'add', n.netns]);
  // One ip process for the rest (each spawn costs ~10 ms on a small box). The neighbour flush: the box may still
  // map this address to an earlier machine's eth0 (a create killed midway and redone, or a destroy and create)
  // while other machines keep the bridge up; that entry stays trusted for 15-45 s and is probed for 8 s more,
  // and meanwhile every packet for the new machine goes to a MAC address that is gone.
  await ensureBridge(machine, n, () => runWithInput(machine, 'ip', ['-batch', '-'], [
    `link add ${n.veth} type veth peer name eth0 netns ${n.netns}`,
    `link set ${n.veth} master ${n.bridge} up`,
    `neigh flush to ${ip} dev ${n.bridge}`,
  ].join('\n') + '\n').then(() => undefined));
  await runWithInput(machine, 'ip', ['-n', n.netns, '-batch', '-'], [
    'link set lo up',
    `addr add ${ip}/24 dev eth0`,
    'link set eth0 up',
    `route add default via ${n.gateway}`,
  ].join('\n') + '\n');
}

export async function deleteNetns(machine: string, n: SandboxNames): Promise<void> {
  if (existsSync(`/run/netns/${n.netns}`)) await run(machine, 'ip', ['netns', 'del', n.netns]);
  if (existsSync(`/sys/class/net/${n.veth}`)) await run(machine, 'ip', ['link', 'del', n.veth], { check: false });
}
