// A real registry for tests: Debian's docker-registry (distribution 2.8.2) run by its binary with a config of
// our own (never the distro's service), TLS from a test CA made with openssl, htpasswd (bcrypt) auth from
// apache2-utils. Stopped by its PID.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const REGISTRY_BIN = '/usr/bin/docker-registry';
export const HTPASSWD_BIN = '/usr/bin/htpasswd';

export interface TestCa {
  /** CA certificate (PEM file). */
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** A CA and a server certificate for `ip`, in `dir`. */
export function makeTestCa(dir: string, ip: string, label = 'mfile test registry CA'): TestCa {
  mkdirSync(dir, { recursive: true });
  const f = (n: string): string => path.join(dir, n);
  const ssl = (args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
  ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${label}`, '-keyout', f('ca.key'), '-out', f('ca.crt')]);
  ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${ip}`, '-keyout', f('server.key'), '-out', f('server.csr')]);
  writeFileSync(f('ext.cnf'), `subjectAltName=IP:${ip}\nextendedKeyUsage=serverAuth\n`);
  ssl(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('ext.cnf'), '-out', f('server.crt')]);
  return { caFile: f('ca.crt'), certFile: f('server.crt'), keyFile: f('server.key') };
}

export interface TestRegistry {
  address: string;
  pid: number;
  /** The registry's own log (requests, auth failures). */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts a registry on ip:port with TLS, and htpasswd auth when `user` is given. Resolves once it logs that it
 * listens (its own readiness line, not a timer).
 */
export async function startRegistry(dir: string, opts: { ip: string; port: number; tls: TestCa; user?: { name: string; password: string } }): Promise<TestRegistry> {
  mkdirSync(path.join(dir, 'data'), { recursive: true });
  const auth = opts.user ? path.join(dir, 'htpasswd') : undefined;
  if (opts.user && auth) {
    // bcrypt, as distribution requires; the password goes on stdin (-i), not in the process list.
    const hash = execFileSync(HTPASSWD_BIN, ['-niB', opts.user.name], { input: `${opts.user.password}\n`, encoding: 'utf8' });
    writeFileSync(auth, hash, { mode: 0o600 });
  }
  const config = [
    'version: 0.1',
    'log: { level: info, formatter: text }',
    `storage: { filesystem: { rootdirectory: ${path.join(dir, 'data')} }, delete: { enabled: true } }`,
    `http: { addr: "${opts.ip}:${opts.port}", tls: { certificate: ${opts.tls.certFile}, key: ${opts.tls.keyFile} } }`,
    ...(auth ? [`auth: { htpasswd: { realm: mfile-test, path: ${auth} } }`] : []),
    '',
  ].join('\n');
  const file = path.join(dir, 'config.yml');
  writeFileSync(file, config);
  const child: ChildProcess = spawn(REGISTRY_BIN, ['serve', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (/listening on/.test(out)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`docker-registry exited (${code}) before listening:\n${out}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    address: `${opts.ip}:${opts.port}`,
    pid: child.pid!,
    log: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGTERM');
      await exited;
    },
  };
}
