// The certificate files of a state folder: one CA and one client cert in .mfile/certs, one server cert per
// machine in .mfile/machines/NAME. Files that exist are reused; private keys are 0600, folders 0700.
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCa, createClientCert, createServerCert, newKey, type KeyAndCert, type RsaKey } from './forge-certs.js';

export interface ClientCertPaths {
  ca: string;
  cert: string;
  key: string;
}

export interface ServerCertFiles {
  /** PEM text, ready to upload. */
  ca: string;
  cert: string;
  key: string;
}

export function certDir(stateDir: string): string {
  return join(stateDir, 'certs');
}

export function clientCertPaths(stateDir: string): ClientCertPaths {
  const d = certDir(stateDir);
  return { ca: join(d, 'ca.pem'), cert: join(d, 'cert.pem'), key: join(d, 'key.pem') };
}

export function machineDir(stateDir: string, machine: string): string {
  return join(stateDir, 'machines', machine);
}

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

async function writePair(dir: string, certName: string, keyName: string, kc: KeyAndCert): Promise<void> {
  await writeFile(join(dir, keyName), kc.keyPem, { mode: 0o600 });
  await chmod(join(dir, keyName), 0o600);
  await writeFile(join(dir, certName), kc.certPem, { mode: 0o644 });
}

// Concurrent machine steps in one run ask for the CA at once: make it once.
const caPromises = new Map<string, Promise<KeyAndCert>>();

/** The state folder's CA (created with the client certificate on first use). */
export function ensureCa(stateDir: string): Promise<KeyAndCert> {
  let p = caPromises.get(stateDir);
  if (!p) {
    p = loadOrCreateCa(stateDir);
    caPromises.set(stateDir, p);
    p.catch(() => caPromises.delete(stateDir));
  }
  return p;
}

async function loadOrCreateCa(stateDir: string): Promise<KeyAndCert> {
  const d = certDir(stateDir);
  await mkdir(stateDir, { recursive: true });
  await ensureDir(d);
  const paths = clientCertPaths(stateDir);
  const caKey = join(d, 'ca-key.pem');
  let ca: KeyAndCert;
  let clientKey: Promise<RsaKey> | undefined;
  if (existsSync(paths.ca) && existsSync(caKey)) {
    ca = { certPem: await readFile(paths.ca, 'utf8'), keyPem: await readFile(caKey, 'utf8') };
  } else {
    clientKey = newKey(); // made alongside the CA's key
    ca = await createCa('mfile CA');
    await writePair(d, 'ca.pem', 'ca-key.pem', ca);
    await rm(paths.cert, { force: true }); // a client cert from another CA would no longer verify
  }
  if (!existsSync(paths.cert) || !existsSync(paths.key)) {
    await writePair(d, 'cert.pem', 'key.pem', await createClientCert(ca, clientKey ?? newKey()));
  }
  return ca;
}

export function serverCertPaths(stateDir: string, machine: string): { cert: string; key: string } {
  const d = machineDir(stateDir, machine);
  return { cert: join(d, 'server.pem'), key: join(d, 'server-key.pem') };
}

/** SANs every server certificate carries besides the machine's own addresses. */
export function serverSans(machine: string, addresses: string[], extra: string[]): string[] {
  return [...new Set([...addresses, machine, 'localhost', '127.0.0.1', ...extra].filter(Boolean))];
}

const pendingKeys = new Map<string, Promise<RsaKey>>();

/** Start making a machine's server key now (while it boots) if it has no certificate yet. */
export function prewarmServerKey(stateDir: string, machine: string): void {
  const id = `${stateDir}\0${machine}`;
  const p = serverCertPaths(stateDir, machine);
  if (pendingKeys.has(id) || (existsSync(p.cert) && existsSync(p.key))) return;
  const k = newKey();
  k.catch(() => pendingKeys.delete(id));
  pendingKeys.set(id, k);
}

/** The machine's server certificate, reused when present. */
export async function ensureServerCert(stateDir: string, machine: string, sans: string[]): Promise<ServerCertFiles> {
  const p = serverCertPaths(stateDir, machine);
  const present = existsSync(p.cert) && existsSync(p.key);
  const id = `${stateDir}\0${machine}`;
  const key = present ? undefined : (pendingKeys.get(id) ?? newKey()); // start the key while the CA loads
  pendingKeys.delete(id);
  key?.catch(() => undefined);
  const ca = await ensureCa(stateDir);
  if (!present || !covers(await readFile(p.cert, 'utf8'), ca.certPem, sans)) {
    await writeServerCert(stateDir, machine, ca, sans, key);
  }
  return { ca: ca.certPem, cert: await readFile(p.cert, 'utf8'), key: await readFile(p.key, 'utf8') };
}

/** Whether a certificate is signed by this CA and names every SAN (an address change needs a new one). */
function covers(certPem: string, caPem: string, sans: string[]): boolean {
  try {
    const c = new X509Certificate(certPem);
    if (!c.checkIssued(new X509Certificate(caPem))) return false;
    return sans.every((s) => (isIP(s) ? c.checkIP(s) : c.checkHost(s, { wildcards: false })) !== undefined);
  } catch {
    return false;
  }
}

/** Rotate a machine's server certificate; the next provisioning uploads it and restarts the daemon. */
export async function regenerateServerCert(stateDir: string, machine: string, sans: string[]): Promise<ServerCertFiles> {
  const ca = await ensureCa(stateDir);
  await writeServerCert(stateDir, machine, ca, sans);
  return ensureServerCert(stateDir, machine, sans);
}

async function writeServerCert(stateDir: string, machine: string, ca: KeyAndCert, sans: string[], key?: Promise<RsaKey>): Promise<void> {
  const d = machineDir(stateDir, machine);
  await mkdir(join(stateDir, 'machines'), { recursive: true });
  await ensureDir(d);
  await writePair(d, 'server.pem', 'server-key.pem', await createServerCert(ca, machine, sans, key));
}
