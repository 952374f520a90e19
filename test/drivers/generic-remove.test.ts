// Removing a generic machine's engine config connects only to the server the state recorded, and only with
// its pinned host key: with no pin there is no connection at all (a TCP listener counts the attempts).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genericDriver } from '../../src/drivers/generic/index.js';
import type { MachineSpec, SshAddress } from '../../src/model/index.js';
import { closeSshPool } from '../../src/remote/ssh/pool.js';
import { SshSession } from '../../src/remote/ssh/session.js';
import { engineSpec } from '../helpers/sandbox.js';
import { genericTraits } from '../../src/drivers/generic/traits.js';

let server: Server;
let port = 0;
let accepted = 0;
let dir: string;
let key: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mfile-generic-remove-'));
  key = join(dir, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  server = createServer((s) => {
    accepted++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await closeSshPool();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const at = (over: Partial<SshAddress> = {}): SshAddress => ({ host: '127.0.0.1', port, user: 'root', identityFile: key, ...over });

const spec = (host: string): MachineSpec => ({
  name: 'g',
  driver: 'generic',
  driverOptions: { host, port, identity_file: key },
  traits: genericTraits,
  engine: engineSpec({ uninstall: true }),
  tls: { enabled: true, san: [] },
});

describe('connections without a pinned host key', () => {
  it('SshSession refuses to connect when a pin is required and missing', async () => {
    const before = accepted;
    await expect(SshSession.connect({ machine: 'g', address: at(), requirePin: true, timeoutMs: 2000 })).rejects.toThrow(
      `g: refusing to connect to root@127.0.0.1:${port}: no host key pinned for root@127.0.0.1:${port}`,
    );
    await expect(
      SshSession.connect({ machine: 'g', address: at({ jump: at() }), pinnedFingerprint: 'SHA256:x', requirePin: true, timeoutMs: 2000 }),
    ).rejects.toThrow('no host key pinned for its jump host 127.0.0.1');
    expect(accepted).toBe(before);
  });

  it('generic remove refuses to reach the recorded server without its pin, and never tries the new address', async () => {
    const before = accepted;
    const req = {
      machine: spec('127.0.0.1'), // machines.yml now names the listener
      driverData: { host: '127.0.0.1', port },
      prior: { driverData: { host: '127.0.0.1', port }, ssh: at() }, // recorded, but with no pin
      ctx: { stateDir: join(dir, '.mfile'), project: 'test' },
    };
    await expect(genericDriver().remove(req)).rejects.toThrow(
      `g: refusing to connect to root@127.0.0.1:${port} to clean it up: no host key pinned for it (or its jump host); set engine.uninstall: false to leave that server as it is`,
    );
    expect(accepted).toBe(before);
  });

  it('generic remove leaves a server mfile never logged in to alone', async () => {
    const before = accepted;
    const lines: string[] = [];
    const req = {
      machine: spec('127.0.0.1'),
      driverData: { host: '127.0.0.1', port },
      prior: { driverData: { host: '127.0.0.1', port } },
      ctx: { stateDir: join(dir, '.mfile'), project: 'test', log: (l: string) => lines.push(l) },
    };
    await genericDriver().remove(req);
    expect(accepted).toBe(before);
    expect(lines).toEqual(['g: mfile never logged in to the previous server: nothing to clean up']);
  });
});
