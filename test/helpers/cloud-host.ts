// A real host behind a fake cloud's server: a sandbox-style namespace host (own netns on a bridge, own sshd,
// the box's docker.io installed but not running) whose root login accepts the SSH public key the driver uploaded
// to the cloud. A fake cloud makes one when a server is created and removes it when the server is deleted, so a
// cloud driver's e2e test goes on to provision Docker and run containers exactly as on a real server.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sandboxDriver } from '../../src/drivers/sandbox/index.js';
import { sandboxTraits } from '../../src/drivers/sandbox/traits.js';
import { defaultEngine, type MachineSpec } from '../../src/model/index.js';
import type { MachineRequest } from '../../src/drivers/driver.js';

export interface CloudHost {
  /** The server's public address: the host's address on its bridge (reachable from the box). */
  ip: string;
  /** Fingerprint (SHA256, base64) of the host's SSH host key. */
  hostKeyFingerprint: string;
  /** Stops the host's processes and deletes its namespace, address and files. */
  remove(): Promise<void>;
}

export interface CloudHostOptions {
  /** A short name, unique among the hosts alive at once (a server id will do). */
  name: string;
  /** A /24 of the test's own (10.213.X.0/24); its .1 is the bridge. */
  subnet: string;
  /** The `ssh-ed25519 AAAA… comment` line the driver uploaded: the host's root accepts exactly this key. */
  authorizedKey: string;
}

/** Where the hosts' folders live: below the worktree (sshd's StrictModes dislikes world-writable /tmp). */
function workDir(): string {
  const base = join(process.cwd(), '.test-work');
  mkdirSync(base, { recursive: true, mode: 0o700 });
  return join(mkdtempSync(join(base, 'cloud-host-')), '.mfile');
}

function specOf(name: string, subnet: string): MachineSpec {
  return {
    name,
    driver: 'sandbox',
    driverOptions: { subnet },
    traits: sandboxTraits,
    engine: defaultEngine({ install: 'never' }),
    tls: { enabled: true, san: [] },
  };
}

/** Replace the running host's authorized_keys (in its private /run) with the uploaded key. */
function authorize(initPid: number, key: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('nsenter', ['-t', String(initPid), '-m', '--', 'sh', '-c', 'cat > /run/mfile/authorized_keys && chmod 600 /run/mfile/authorized_keys'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`nsenter authorized_keys: exit ${code}: ${err.trim()}`))));
    p.stdin.end(key.trim() + '\n');
  });
}

export async function startCloudHost(opts: CloudHostOptions): Promise<CloudHost> {
  const stateDir = workDir();
  const driver = sandboxDriver();
  const req: MachineRequest = { machine: specOf(opts.name, opts.subnet), driverData: {}, ctx: { stateDir, project: 'cloud-host' } };
  const created = await driver.create(req);
  req.driverData = created.driverData;
  const removeAll = async (): Promise<void> => {
    await driver.remove(req).catch(() => undefined);
    await rm(join(stateDir, '..'), { recursive: true, force: true });
  };
  try {
    await authorize(created.driverData.initPid as number, opts.authorizedKey);
  } catch (e) {
    await removeAll();
    throw e;
  }
  return {
    ip: created.driverData.ip as string,
    hostKeyFingerprint: created.driverData.hostKeyFingerprint as string,
    remove: removeAll,
  };
}
