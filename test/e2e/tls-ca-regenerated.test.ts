// After the CA is made anew (its files deleted), the next provisioning must upload a server certificate from
// the new CA: a real dockerd serving mutual TLS with what ensureServerCert returns, and the real docker CLI
// pointed at .mfile/certs (as `mfile env` does), accept each other. Needs root and docker.io.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import { certDir, ensureServerCert, serverSans, type ServerCertFiles } from '../../src/remote/tls/store.js';
import { describeNeeding, DOCKERD, ROOT } from '../helpers/prerequisites.js';
import { createTestBridge, type TestBridge } from '../helpers/test-bridge.js';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A dockerd of the test's own, serving mutual TLS on 127.0.0.1:port with the files in dir/tls. */
function tlsDockerd(dir: string, port: number) {
  const sock = `unix://${dir}/d.sock`;
  let child: ChildProcess | null = null;
  // A bridge of its own: `--bridge=none` would delete the box's docker0, which other tests' containers use.
  let bridge: TestBridge | null = null;
  const local = (args: string[]) => spawnSync('docker', ['-H', sock, ...args], { encoding: 'utf8', timeout: 10_000, env: { ...process.env, DOCKER_CONFIG: path.join(dir, 'cli') } });
  return {
    install(files: ServerCertFiles): void {
      mkdirSync(path.join(dir, 'tls'), { recursive: true, mode: 0o700 });
      writeFileSync(path.join(dir, 'tls/ca.pem'), files.ca);
      writeFileSync(path.join(dir, 'tls/server.pem'), files.cert);
      writeFileSync(path.join(dir, 'tls/server-key.pem'), files.key, { mode: 0o600 });
    },
    async start(): Promise<void> {
      writeFileSync(path.join(dir, 'daemon.json'), '{}');
      const t = (f: string) => path.join(dir, 'tls', f);
      bridge ??= createTestBridge();
      child = spawn('dockerd', ['--config-file', path.join(dir, 'daemon.json'), '--data-root', path.join(dir, 'data'),
        '--exec-root', path.join(dir, 'exec'), '--pidfile', path.join(dir, 'pid'), '--iptables=false', '--ip6tables=false',
        `--bridge=${bridge.name}`, '-H', sock, '-H', `tcp://127.0.0.1:${port}`, '--tlsverify', '--tlscacert', t('ca.pem'),
        '--tlscert', t('server.pem'), '--tlskey', t('server-key.pem')], { stdio: 'ignore' });
      const deadline = Date.now() + 60_000;
      while (local(['version']).status !== 0) {
        if (child.exitCode !== null) throw new Error(`dockerd exited with ${child.exitCode}`);
        if (Date.now() > deadline) throw new Error('dockerd did not answer on its socket within 60 s');
        await sleep(200);
      }
    },
    async stop(): Promise<void> {
      const c = child;
      child = null;
      if (c && c.exitCode === null && c.signalCode === null) {
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGTERM');
        await exited;
      }
    },
    removeBridge(): void {
      bridge?.remove();
      bridge = null;
    },
  };
}

describeNeeding([ROOT, DOCKERD])('server certificate after the CA is made anew', () => {
  const dir = mkdtempSync('/tmp/mft-'); // short: unix socket paths are limited to 108 bytes
  const stateDir = path.join(dir, '.mfile');
  let daemon: ReturnType<typeof tlsDockerd> | null = null;

  afterAll(async () => {
    await daemon?.stop();
    daemon?.removeBridge();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The docker CLI as `eval "$(mfile env m1)"` leaves it: TLS with the files in .mfile/certs. */
  const dockerCli = (port: number) =>
    spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certDir(stateDir), DOCKER_CONFIG: path.join(dir, 'cli'), DOCKER_CONTEXT: '' },
    });

  it('is issued by the new CA, and the docker CLI with the new client certificate is accepted', async () => {
    const port = await freePort();
    daemon = tlsDockerd(dir, port);
    const sans = serverSans('m1', ['127.0.0.1'], []);

    const first = await ensureServerCert(stateDir, 'm1', sans);
    daemon.install(first);
    await daemon.start();
    const before = dockerCli(port);
    expect(before.status, before.stderr).toBe(0);
    await daemon.stop();

    for (const f of ['ca.pem', 'ca-key.pem']) rmSync(path.join(certDir(stateDir), f));
    vi.resetModules(); // the next provisioning is a new mfile process: it knows only the files
    const next = await import('../../src/remote/tls/store.js');
    const second = await next.ensureServerCert(stateDir, 'm1', sans);
    expect(second.ca).not.toBe(first.ca);
    daemon.install(second); // what provisioning uploads
    await daemon.start();
    const after = dockerCli(port);
    expect(after.stderr).toBe('');
    expect(after.status).toBe(0);
    expect(after.stdout.trim()).toBe(before.stdout.trim());
  });
});
