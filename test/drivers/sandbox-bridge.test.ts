// The sandbox bridge after a create was killed between its steps: the bridge exists but has no address and is
// down. The next create must finish it; before, it saw the bridge and skipped it, and every machine on it was
// unreachable (SSH timed out for all of them).
import { execFileSync } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import { ensureBridge, removeBridgeIfUnused } from '../../src/drivers/sandbox/network.js';
import { sandboxNames } from '../../src/drivers/sandbox/options.js';
import { describeNeeding, IP, IPTABLES, ROOT } from '../helpers/prerequisites.js';

const prefix = '10.213.130';
const names = sandboxNames('/tmp/mfile-bridge-test', 'b1', { subnet: `${prefix}.0/24`, prefix });
const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8' });

describeNeeding([ROOT, IP, IPTABLES])('a half-made sandbox bridge', () => {
  afterAll(async () => {
    await removeBridgeIfUnused('b1', names);
  });

  it('is given its address and brought up by the next create', async () => {
    execFileSync('ip', ['link', 'add', names.bridge, 'type', 'bridge']);
    await ensureBridge('b1', names);
    const [link] = JSON.parse(ip('-j', 'addr', 'show', 'dev', names.bridge)) as { flags: string[]; addr_info: { local: string; prefixlen: number }[] }[];
    expect(link.addr_info.map((a) => `${a.local}/${a.prefixlen}`)).toContain(`${prefix}.1/24`);
    expect(link.flags).toContain('UP');
    // Twice is the same as once.
    await ensureBridge('b1', names);
    const [again] = JSON.parse(ip('-j', '-4', 'addr', 'show', 'dev', names.bridge)) as { addr_info: unknown[] }[];
    expect(again.addr_info).toHaveLength(1);
  });
});
