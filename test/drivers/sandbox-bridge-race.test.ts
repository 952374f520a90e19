// Two machines of one subnet, one being made while the other is removed (a recovery apply replacing both): the
// removal looks for ports on the bridge and deletes it when there are none. Were the new machine's port put on the
// bridge outside the host lock, the removal could find the bridge empty, then delete it with the new port on it:
// the new machine had no route from this box, and its SSH handshake never came (seen in the crash proof).
import { execFileSync } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { basename } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createNetns, deleteNetns, ensureBridge, removeBridgeIfUnused } from '../../src/drivers/sandbox/network.js';
import { sandboxNames } from '../../src/drivers/sandbox/options.js';
import { describeNeeding, IP, IPTABLES, ROOT } from '../helpers/prerequisites.js';

const prefix = '10.213.132';
const made = sandboxNames('/tmp/mfile-bridge-race-test', 'n1', { subnet: `${prefix}.0/24`, prefix });
const leaving = sandboxNames('/tmp/mfile-bridge-race-test', 'o1', { subnet: `${prefix}.0/24`, prefix });
const ROUNDS = 25;

/** The bridge the new machine's port is on, or what is wrong. */
function portsBridge(): string {
  if (!existsSync(`/sys/class/net/${made.veth}`)) return 'no port';
  if (!existsSync(`/sys/class/net/${made.veth}/master`)) return 'a port on no bridge';
  return basename(readlinkSync(`/sys/class/net/${made.veth}/master`));
}

describeNeeding([ROOT, IP, IPTABLES])('a sandbox machine made while another of its subnet is removed', () => {
  afterAll(async () => {
    await deleteNetns('n1', made);
    await removeBridgeIfUnused('n1', made);
  });

  it(`stays on the bridge, which stays up with its address (${ROUNDS} rounds)`, async () => {
    const outcomes: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // The bridge with no port left: the other machine's went just before its removal looks.
      await ensureBridge('o1', leaving);
      await deleteNetns('n1', made);
      await Promise.all([createNetns('n1', made, `${prefix}.148`), removeBridgeIfUnused('o1', leaving)]);
      const addr = existsSync(`/sys/class/net/${made.bridge}`) ? execFileSync('ip', ['-4', '-o', 'addr', 'show', 'dev', made.bridge], { encoding: 'utf8' }) : '';
      outcomes.push(`${portsBridge()}${addr.includes(`${prefix}.1/24`) ? '' : ' (bridge without its address)'}`);
    }
    expect(outcomes).toEqual(outcomes.map(() => made.bridge));
  });
});
