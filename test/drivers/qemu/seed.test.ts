// The NoCloud seed: what cloud-init reads on first boot.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { bridgeNames } from '../../../src/drivers/qemu/bridge.js';
import { guestHostname, metaData, networkConfig, userData, writeSeed } from '../../../src/drivers/qemu/seed.js';

const input = {
  machine: 'Dev_1',
  instanceId: 'mfile-0123456789abcdef',
  authorizedKey: 'ssh-ed25519 AAAAC3Nza mfile-Dev_1\n',
  hostKey: { privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n', publicKey: 'ssh-ed25519 AAAAhost mfile-Dev_1' },
};

describe('NoCloud seed', () => {
  it('meta-data names the instance and a DNS-safe hostname', () => {
    expect(yaml.load(metaData(input))).toEqual({ 'instance-id': 'mfile-0123456789abcdef', 'local-hostname': 'dev-1' });
    expect(guestHostname('--')).toBe('mfile');
  });

  it('user-data is cloud-config with a sudo user holding the machine key and the host key mfile made', () => {
    const text = userData(input);
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    const doc = yaml.load(text) as Record<string, unknown>;
    expect(doc.users).toEqual([
      { name: 'mfile', sudo: 'ALL=(ALL) NOPASSWD:ALL', shell: '/bin/bash', lock_passwd: true, ssh_authorized_keys: ['ssh-ed25519 AAAAC3Nza mfile-Dev_1'] },
    ]);
    expect(doc.ssh_keys).toEqual({ ed25519_private: input.hostKey.privateKey, ed25519_public: input.hostKey.publicKey });
    expect(doc).toMatchObject({ hostname: 'dev-1', disable_root: true, ssh_pwauth: false });
  });

  it('network-config (bridge) gives the NIC with the machine\'s MAC a static address and a route via the bridge', () => {
    expect(yaml.load(networkConfig({ mac: '52:54:00:01:23:ab', address: '10.215.10.7/24', gateway: '10.215.10.1' }))).toEqual({
      version: 2,
      ethernets: {
        eth0: {
          match: { macaddress: '52:54:00:01:23:ab' },
          'set-name': 'eth0',
          dhcp4: false,
          addresses: ['10.215.10.7/24'],
          routes: [{ to: '0.0.0.0/0', via: '10.215.10.1' }],
        },
      },
    });
  });

  it('names the tap, bridge and MAC of a machine stably, within interface name limits', () => {
    const o = { subnet: '10.215.10.0/24', prefix: '10.215.10' };
    const a = bridgeNames('/p/.mfile', 'vm', o);
    expect(a).toEqual(bridgeNames('/p/.mfile', 'vm', o));
    expect(a).toMatchObject({ bridge: 'mfbr0ad70a', gateway: '10.215.10.1' });
    expect(a.tap).toMatch(/^mft[0-9a-f]{8}$/);
    expect(a.mac).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
    expect(bridgeNames('/q/.mfile', 'vm', o).tap).not.toBe(a.tap);
  });

  it('is written 0600 (it holds the host private key)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mfile-seed-'));
    try {
      await writeSeed(join(dir, 'seed'), input);
      for (const f of ['meta-data', 'user-data', 'vendor-data']) expect(statSync(join(dir, 'seed', f)).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(dir, 'seed', 'user-data'), 'utf8')).toContain('BEGIN OPENSSH PRIVATE KEY');
      expect(existsSync(join(dir, 'seed', 'network-config'))).toBe(false); // user networking: cloud-init's DHCP fallback
      await writeSeed(join(dir, 'seed2'), { ...input, network: { mac: '52:54:00:01:23:ab', address: '10.215.10.7/24', gateway: '10.215.10.1' } });
      expect(readFileSync(join(dir, 'seed2', 'network-config'), 'utf8')).toContain('10.215.10.7/24');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
