// `mfile ssh-keys forget NAME` drops every pin apply would check the machine's key against.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { State } from '../../../src/model/index.js';
import { jumpKnownHostsPath, knownHostsPath } from '../../../src/remote/ssh/known-hosts.js';
import { forgetHostKey } from '../../../src/remote/ssh/ssh-helpers.js';

describe('forgetHostKey', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'mfile-forget-'));
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('drops the pinned keys, the one the driver made at create (sandbox), and the known_hosts files', async () => {
    const state = {
      version: 1, mfile_version: 'test', lineage: 'l', serial: 3, objects: {},
      machines: {
        h1: {
          name: 'h1', driver: 'sandbox', status: 'created',
          hostKeyFingerprint: 'SHA256:old', jumpHostKeyFingerprint: 'SHA256:oldjump',
          driverData: { ip: '10.0.0.2', hostKeyFingerprint: 'SHA256:old' },
        },
      },
    } as unknown as State;
    mkdirSync(join(stateDir, 'machines', 'h1'), { recursive: true });
    for (const f of [knownHostsPath(stateDir, 'h1'), jumpKnownHostsPath(stateDir, 'h1')]) writeFileSync(f, 'x ssh-ed25519 AAAA\n');

    const r = (await forgetHostKey(state, stateDir, 'h1')).machines.h1;
    expect(r.hostKeyFingerprint).toBeUndefined();
    expect(r.jumpHostKeyFingerprint).toBeUndefined();
    expect(r.driverData).toEqual({ ip: '10.0.0.2' });
    expect(existsSync(knownHostsPath(stateDir, 'h1'))).toBe(false);
    expect(existsSync(jumpKnownHostsPath(stateDir, 'h1'))).toBe(false);
  });

  it('refuses a machine the state does not hold', async () => {
    const state = { version: 1, mfile_version: 'test', lineage: 'l', serial: 0, machines: {}, objects: {} } as unknown as State;
    await expect(forgetHostKey(state, stateDir, 'nope')).rejects.toThrow('no machine named nope in the state');
  });
});
