// `mfile ssh` runs the system ssh client with an argv mfile builds from the state. No value read back from the
// state may become an ssh option: `--` ends the options before the destination (also in the jump host's
// ProxyCommand), and a host or user starting with '-' is refused before ssh runs.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MachineRecord, SshAddress, State } from '../../../src/model/index.js';
import { fingerprintOf, knownHostsLine } from '../../../src/remote/ssh/fingerprint.js';
import { jumpKnownHostsPath, knownHostsPath } from '../../../src/remote/ssh/known-hosts.js';
import { sshArgv } from '../../../src/remote/ssh/ssh-helpers.js';
import { ensureBuilt, mfile } from '../../helpers/cli.js';

const made: string[] = [];
const tmp = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
};
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A state folder with pinned known_hosts files for machine `m` and its jump host. */
function pinned(ssh: SshAddress): { stateDir: string; record: MachineRecord } {
  const stateDir = join(tmp('mfile-ssh-argv-'), '.mfile');
  mkdirSync(join(stateDir, 'machines', 'm'), { recursive: true });
  // Any blob whose type field reads ssh-ed25519 makes a known_hosts line the fingerprint check accepts.
  const key = () => Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), randomBytes(32)]);
  const k = key();
  const j = key();
  writeFileSync(knownHostsPath(stateDir, 'm'), knownHostsLine('127.0.0.1', 22, k));
  writeFileSync(jumpKnownHostsPath(stateDir, 'm'), knownHostsLine('127.0.0.1', 22, j));
  const record: MachineRecord = {
    name: 'm',
    driver: 'generic',
    status: 'created',
    driverOptions: {},
    driverData: {},
    ssh,
    hostKeyFingerprint: fingerprintOf(k),
    jumpHostKeyFingerprint: ssh.jump ? fingerprintOf(j) : undefined,
    updatedAt: new Date(0).toISOString(),
  };
  return { stateDir, record };
}

const addr = (over: Partial<SshAddress> = {}): SshAddress => ({ host: '10.0.0.5', port: 22, user: 'root', ...over });

describe('the ssh argv of mfile ssh', () => {
  it('ends the options with -- right before the destination, then the quoted command', () => {
    const { stateDir, record } = pinned(addr());
    const argv = sshArgv(record, stateDir, ['echo', 'a b']);
    expect(argv.slice(-3)).toEqual(['--', 'root@10.0.0.5', "echo 'a b'"]);
    expect(argv.filter((a) => a === '--')).toHaveLength(1);
  });

  it("puts -- before the jump host's destination inside the ProxyCommand", () => {
    const { stateDir, record } = pinned(addr({ jump: addr({ host: 'bastion', user: 'ops' }) }));
    const proxy = sshArgv(record, stateDir).find((a) => a.startsWith('ProxyCommand='))!;
    expect(proxy).toMatch(/ -W %h:%p -- ops@bastion$/);
  });

  for (const [what, ssh] of [
    ['user', addr({ user: '-oProxyCommand=id' })],
    ['host', addr({ host: '-oProxyCommand=id' })],
    ['jump user', addr({ jump: addr({ user: '-oProxyCommand=id' }) })],
    ['jump host', addr({ jump: addr({ host: '-oProxyCommand=id' }) })],
  ] as const) {
    it(`refuses a ${what} from the state that starts with -`, () => {
      const { stateDir, record } = pinned(ssh);
      expect(() => sshArgv(record, stateDir)).toThrow(new RegExp(`machine m: the state's SSH ${what} "-oProxyCommand=id" .*refusing to run ssh`));
    });
  }
});

describe('mfile ssh with a tampered state', () => {
  beforeAll(() => ensureBuilt());

  it('does not run a ProxyCommand smuggled in as the user', () => {
    const marker = join(tmp('mfile-marker-'), 'ran');
    // ssh would read this user as `-o ProxyCommand=touch MARKER #@host` and run it through a local shell.
    const { stateDir, record } = pinned(addr({ host: '127.0.0.1', user: `-oProxyCommand=touch ${marker} #` }));
    const state: State = { version: 1, mfile_version: '0.1.0', lineage: 'tampered', serial: 1, machines: { m: record }, objects: {} };
    writeFileSync(join(stateDir, 'state.json'), JSON.stringify(state));
    writeFileSync(join(stateDir, '..', 'machines.yml'), 'version: 1\nmachines: {}\n');

    const r = mfile(['ssh', '-f', join(stateDir, '..', 'machines.yml'), 'm', '--', 'true'], { timeoutMs: 30_000 });
    expect(existsSync(marker)).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('refusing to run ssh');
  });
});
