// `mfile start` on a machine reached as a user with sudo (not root): the engine is awaited where the controller
// reaches it (mutual TLS on its TCP port), never through the Docker socket forwarded over SSH, which sshd opens
// with the login user's rights and refuses. An in-process SSH server plays that host (it refuses every
// streamlocal forward, as sshd does for such a user) and a TLS server with the state's certificates plays dockerd.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server as HttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineService } from '../../src/drivers/engine-service.js';
import { sandboxTraits } from '../../src/drivers/sandbox/traits.js';
import type { MachineSpec } from '../../src/model/index.js';
import { FACTS_MARK } from '../../src/remote/provision/commands.js';
import { fingerprintOf } from '../../src/remote/ssh/fingerprint.js';
import { closeSshPool } from '../../src/remote/ssh/pool.js';
import { clientCertPaths, ensureCa, ensureServerCert } from '../../src/remote/tls/store.js';
import { engineSpec } from '../helpers/sandbox.js';

const { Server, utils } = ssh2;

let dir = '';
let sshd: InstanceType<typeof Server>;
let sshPort = 0;
let hostFingerprint = '';
let engine: HttpsServer;
let enginePort = 0;
const seen = { streamlocal: 0, pings: 0, commands: [] as string[] };

function listen(s: { listen(port: number, host: string, cb: () => void): unknown; address(): unknown }): Promise<number> {
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as { port: number }).port)));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mfile-engine-service-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id')]);
  const hostKey = utils.parseKey(readFileSync(join(dir, 'host')));
  if (hostKey instanceof Error) throw hostKey;
  hostFingerprint = fingerprintOf(hostKey.getPublicSSH());
  sshd = new Server({ hostKeys: [readFileSync(join(dir, 'host'))] }, (client) => {
    client.on('authentication', (ctx) => (ctx.method === 'publickey' && ctx.username === 'mfile' ? ctx.accept() : ctx.reject(['publickey'])));
    client.on('ready', () => {
      client.on('session', (accept) => {
        accept().on('exec', (acceptExec, _reject, info) => {
          seen.commands.push(info.command);
          const ch = acceptExec();
          // Docker installed under systemd, not running yet: start must start it and wait for it.
          if (info.command.includes(FACTS_MARK)) ch.write(`ID=debian\n${FACTS_MARK}\ndockerd=/usr/sbin/dockerd\nsystemd=1\nrunning=0\n`);
          ch.exit(0);
          ch.end();
        });
      });
      // sshd connects to the socket as the login user: without rights to the Docker socket, the channel fails.
      client.on('openssh.streamlocal', (_accept, reject) => {
        seen.streamlocal++;
        reject();
      });
    });
  });
  sshPort = await listen(sshd);
  const stateDir = join(dir, '.mfile');
  const ca = await ensureCa(stateDir);
  const server = await ensureServerCert(stateDir, 'm1', ['127.0.0.1']);
  engine = createServer({ key: server.key, cert: server.cert, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    if (req.url?.endsWith('/_ping')) seen.pings++;
    res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
  });
  enginePort = await listen(engine);
  expect(clientCertPaths(stateDir).cert).toBeTruthy();
}, 60_000);

afterAll(async () => {
  await closeSshPool();
  sshd?.close();
  engine?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('engineService start', () => {
  it('on a TCP engine reached as a sudo user, waits for the engine over mutual TLS, not the socket over SSH', async () => {
    const machine: MachineSpec = { name: 'm1', driver: 'sandbox', driverOptions: {}, traits: sandboxTraits, engine: engineSpec({ port: enginePort }), tls: { enabled: true, san: [] } };
    // Before the fix the wait went through the refused socket until its minute ran out: stop it at the first refusal.
    const stop = new AbortController();
    const refused = setInterval(() => seen.streamlocal > 0 && stop.abort(new Error('the engine was awaited through the Docker socket over SSH')), 20);
    try {
      await engineService(
        { machine, driverData: {}, ctx: { stateDir: join(dir, '.mfile'), project: 'p', signal: stop.signal } },
        { address: { host: '127.0.0.1', port: sshPort, user: 'mfile', identityFile: join(dir, 'id'), sudo: true }, hostKeyFingerprint: hostFingerprint },
        'start',
      );
    } finally {
      clearInterval(refused);
    }
    expect(seen.commands.some((c) => /systemctl.*start.*docker/.test(c))).toBe(true);
    expect(seen.pings).toBeGreaterThan(0);
    expect(seen.streamlocal).toBe(0);
  }, 60_000);
});
