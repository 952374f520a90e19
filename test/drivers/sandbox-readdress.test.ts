// A sandbox machine made again at its address while other machines stay on the bridge (a create killed midway and
// redone, or a destroy and create): the box still mapped the address to the earlier machine's interface, a MAC
// address that was gone, and kept sending there for 20-50 s. SSH to the new machine timed out meanwhile; in the
// crash proof one recovery waited past its 90 s. The new machine must answer at once.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { createNetns, deleteNetns, ensureBridge, removeBridgeIfUnused } from '../../src/drivers/sandbox/network.js';
import { sandboxNames } from '../../src/drivers/sandbox/options.js';
import { describeNeeding, IP, IPTABLES, ROOT } from '../helpers/prerequisites.js';

const prefix = '10.213.131';
const address = `${prefix}.148`;
const names = sandboxNames('/tmp/mfile-readdress-test', 'r1', { subnet: `${prefix}.0/24`, prefix });
// A second port, up and with the lowest MAC, keeps the bridge up and its MAC unchanged (either change would make the
// box forget its neighbour entries), as other machines on the bridge do.
const otherPort = `mfvro${process.pid % 100000}`;
const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8' });
const listeners: ChildProcess[] = [];

/** A TCP listener on port 22 inside the machine's namespace, as its sshd would be. */
async function listenInside(): Promise<void> {
  const child = spawn('ip', ['netns', 'exec', names.netns, process.execPath, '-e',
    "require('node:net').createServer((s) => s.end('SSH-2.0-test\\r\\n')).listen(22, () => console.log('up'))"],
  { stdio: ['ignore', 'pipe', 'inherit'] });
  listeners.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`listener exited ${code}`)));
  });
}

function stopListeners(): void {
  for (const l of listeners.splice(0)) l.kill('SIGKILL');
}

/** The first line the machine sends, or the failure, within one connection attempt. */
function banner(timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: address, port: 22, timeout: timeoutMs });
    const done = (what: string) => {
      s.destroy();
      resolve(what);
    };
    s.once('data', (b: Buffer) => done(b.toString().trim()));
    s.once('timeout', () => done(`no answer within ${timeoutMs} ms`));
    s.once('error', (e) => done(e.message));
  });
}

function neighbour(): { lladdr?: string; state?: string[] } | undefined {
  return (JSON.parse(ip('-j', 'neigh', 'show', address, 'dev', names.bridge)) as { lladdr?: string; state?: string[] }[])[0];
}

function macInside(): string {
  return (JSON.parse(ip('-j', '-n', names.netns, 'link', 'show', 'eth0')) as { address: string }[])[0].address;
}

describeNeeding([ROOT, IP, IPTABLES])('a sandbox machine made again at its address', () => {
  afterAll(async () => {
    stopListeners();
    await deleteNetns('r1', names);
    execFileSync('ip', ['link', 'del', otherPort], { stdio: 'ignore' });
    await removeBridgeIfUnused('r1', names);
  });

  it('answers at once, not after the box forgets the earlier machine', async () => {
    await ensureBridge('r1', names);
    ip('link', 'add', otherPort, 'address', '02:00:00:00:00:01', 'type', 'veth', 'peer', 'name', `${otherPort}p`);
    ip('link', 'set', otherPort, 'master', names.bridge, 'up');
    ip('link', 'set', `${otherPort}p`, 'up');

    await createNetns('r1', names, address);
    await listenInside();
    expect(await banner(10_000)).toBe('SSH-2.0-test');
    const first = macInside();
    expect(neighbour()?.lladdr).toBe(first);

    // Made again, as a rerun does after a create was killed: the namespace and its interface are new.
    stopListeners();
    await createNetns('r1', names, address);
    await listenInside();
    const second = macInside();
    expect(second).not.toBe(first);
    // Before the fix the box kept the first MAC as REACHABLE for 15-45 s and the connection got no answer.
    expect(neighbour()?.lladdr).not.toBe(first);
    expect(await banner(10_000)).toBe('SSH-2.0-test');
    expect(neighbour()?.lladdr).toBe(second);
  });
});
