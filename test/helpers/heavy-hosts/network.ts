// The heavy hosts' own link: a bridge holding the /24's .1, one commented FORWARD rule (the root dockerd set the
// chain's policy to DROP), and per host either a veth into a network namespace or a tap for qemu. Every piece
// is recorded in a Teardown as it is made, so a failure halfway still removes what exists.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Teardown } from './teardown.js';

export interface HeavyNet {
  bridge: string;
  /** e.g. 10.214.0 */
  prefix: string;
  gateway: string;
}

const run = (cmd: string, args: string[]): void => {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
};

function forwardRule(bridge: string): string[] {
  return ['FORWARD', '-i', bridge, '-o', bridge, '-m', 'comment', '--comment', `mfile heavy-hosts ${bridge}`, '-j', 'ACCEPT'];
}

/** Refuses a subnet something on this machine already uses (a test must not touch it). */
function assertSubnetFree(prefix: string): void {
  const addrs = execFileSync('ip', ['-4', '-o', 'addr'], { encoding: 'utf8' });
  if (addrs.includes(` ${prefix}.`)) throw new Error(`subnet ${prefix}.0/24 is already in use on this machine:\n${addrs}`);
}

export function createBridge(t: Teardown, bridge: string, prefix: string): HeavyNet {
  const gateway = `${prefix}.1`;
  if (existsSync(`/sys/class/net/${bridge}`)) run('ip', ['link', 'del', bridge]); // left by a killed run
  assertSubnetFree(prefix);
  run('ip', ['link', 'add', bridge, 'type', 'bridge']);
  t.add(`bridge ${bridge}`, () => run('ip', ['link', 'del', bridge]));
  run('ip', ['addr', 'add', `${gateway}/24`, 'dev', bridge]);
  run('ip', ['link', 'set', bridge, 'up']);
  const rule = forwardRule(bridge);
  run('iptables', ['-w', '-I', 'FORWARD', '1', ...rule.slice(1)]);
  t.add(`FORWARD rule for ${bridge}`, () => {
    while (spawnSync('iptables', ['-w', '-C', ...rule]).status === 0) run('iptables', ['-w', '-D', ...rule]);
  });
  return { bridge, prefix, gateway };
}

/** A network namespace with eth0 = ip/24 and a default route via the bridge. */
export function createNetns(t: Teardown, net: HeavyNet, netns: string, veth: string, ip: string): void {
  if (existsSync(`/run/netns/${netns}`)) run('ip', ['netns', 'del', netns]);
  run('ip', ['netns', 'add', netns]);
  t.add(`netns ${netns}`, () => run('ip', ['netns', 'del', netns]));
  run('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
  t.add(`veth ${veth}`, () => {
    if (existsSync(`/sys/class/net/${veth}`)) run('ip', ['link', 'del', veth]);
  });
  run('ip', ['link', 'set', veth, 'master', net.bridge, 'up']);
  for (const args of [['link', 'set', 'lo', 'up'], ['addr', 'add', `${ip}/24`, 'dev', 'eth0'], ['link', 'set', 'eth0', 'up'], ['route', 'add', 'default', 'via', net.gateway]]) {
    run('ip', ['-n', netns, ...args]);
  }
}

export function createTap(t: Teardown, net: HeavyNet, tap: string): void {
  if (existsSync(`/sys/class/net/${tap}`)) run('ip', ['link', 'del', tap]);
  run('ip', ['tuntap', 'add', 'dev', tap, 'mode', 'tap']);
  t.add(`tap ${tap}`, () => run('ip', ['link', 'del', tap]));
  run('ip', ['link', 'set', tap, 'master', net.bridge, 'up']);
}

/** What must be gone after tear-down, for the tests' last assertion. */
export function leftovers(names: { bridge: string; netns?: string; links: string[] }): string[] {
  const out: string[] = [];
  for (const l of [names.bridge, ...names.links]) if (existsSync(`/sys/class/net/${l}`)) out.push(`link ${l}`);
  if (names.netns && existsSync(`/run/netns/${names.netns}`)) out.push(`netns ${names.netns}`);
  if (execFileSync('iptables', ['-w', '-S', 'FORWARD'], { encoding: 'utf8' }).includes(`mfile heavy-hosts ${names.bridge}`)) {
    out.push(`FORWARD rule for ${names.bridge}`);
  }
  return out;
}
