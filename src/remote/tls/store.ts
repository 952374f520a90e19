// The certificate files of a state folder: one CA and one client cert in .mfile/certs, one server cert per
// machine in .mfile/machines/NAME. Pairs that still fit (pair-check.ts) are reused; the rest are made anew.
// Every folder passes the owned-folder check and every file goes through the private-file writer.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureOwnedDirs } from '../../fs-safety/owned-dir.js';
import { writePrivateFile } from '../../fs-safety/private-file.js';
import { createCa, createClientCert, createServerCert, newKey, type KeyAndCert, type NewKey } from './certs.js';
import { usableCa, usableLeaf } from './pair-check.js';

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

/** .mfile/machines/NAME, made 0700 when missing; refused when it or a folder above it (up to .mfile) is unsafe. */
export function ensureMachineDir(stateDir: string, machine: string): Promise<string> {
  return ensureOwnedDirs(stateDir, 'machines', machine);
}

async function readIfPresent(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function readPair(dir: string, certName: string, keyName: string): Promise<KeyAndCert | null> {
  const [certPem, keyPem] = await Promise.all([readIfPresent(join(dir, certName)), readIfPresent(join(dir, keyName))]);
  return certPem !== null && keyPem !== null ? { certPem, keyPem } : null;
}

/**
 * Key first, then certificate, each replaced atomically. A crash between the two leaves a certificate that does
 * not match its key; readers check the pair (pair-check.ts) and make a new one, so a torn pair is never used.
 */
async function writePair(dir: string, certName: string, keyName: string, kc: KeyAndCert): Promise<void> {
  await writePrivateFile(join(dir, keyName), kc.keyPem, { mode: 0o600 });
  await writePrivateFile(join(dir, certName), kc.certPem, { mode: 0o644 });
}

// Concurrent machine steps in one run ask for the CA at once: make it once. Only the call in flight is shared,
// so a later call sees the files as they are then.
const caPromises = new Map<string, Promise<KeyAndCert>>();

/** The state folder's CA (created with the client certificate on first use, or when they no longer fit). */
export function ensureCa(stateDir: string): Promise<KeyAndCert> {
  let p = caPromises.get(stateDir);
  if (!p) {
    p = loadOrCreateCa(stateDir);
    caPromises.set(stateDir, p);
    const forget = (): void => void caPromises.delete(stateDir);
    p.then(forget, forget);
  }
  return p;
}

async function loadOrCreateCa(stateDir: string): Promise<KeyAndCert> {
  const d = await ensureOwnedDirs(stateDir, 'certs');
  let ca = await readPair(d, 'ca.pem', 'ca-key.pem');
  let clientKey: Promise<NewKey> | undefined;
  if (!ca || !usableCa(ca)) {
    clientKey = newKey(); // made alongside the CA's key
    ca = await createCa('mfile CA');
    await writePair(d, 'ca.pem', 'ca-key.pem', ca);
  }
  const client = await readPair(d, 'cert.pem', 'key.pem');
  if (!client || !usableLeaf(client, ca.certPem)) {
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

const pendingKeys = new Map<string, Promise<NewKey>>();

/** Start making a machine's server key now (while it boots) if it has no certificate yet. */
export function prewarmServerKey(stateDir: string, machine: string): void {
  const id = `${stateDir}\0${machine}`;
  const p = serverCertPaths(stateDir, machine);
  if (pendingKeys.has(id) || (existsSync(p.cert) && existsSync(p.key))) return;
  const k = newKey();
  k.catch(() => pendingKeys.delete(id));
  pendingKeys.set(id, k);
}

function takePendingKey(stateDir: string, machine: string): Promise<NewKey> | undefined {
  const id = `${stateDir}\0${machine}`;
  const k = pendingKeys.get(id);
  pendingKeys.delete(id);
  return k;
}

async function issueServerCert(stateDir: string, machine: string, ca: KeyAndCert, sans: string[], key?: Promise<NewKey>): Promise<ServerCertFiles> {
  const d = await ensureMachineDir(stateDir, machine);
  const fresh = await createServerCert(ca, machine, sans, key);
  await writePair(d, 'server.pem', 'server-key.pem', fresh);
  return { ca: ca.certPem, cert: fresh.certPem, key: fresh.keyPem };
}

/** The machine's server certificate: reused while it fits the current CA, its key and `sans`; else a new one. */
export async function ensureServerCert(stateDir: string, machine: string, sans: string[]): Promise<ServerCertFiles> {
  const p = serverCertPaths(stateDir, machine);
  // Start the key while the CA loads when there is surely no certificate to reuse.
  const key = existsSync(p.cert) && existsSync(p.key) ? undefined : (takePendingKey(stateDir, machine) ?? newKey());
  key?.catch(() => undefined);
  const d = await ensureMachineDir(stateDir, machine);
  const ca = await ensureCa(stateDir);
  const pair = await readPair(d, 'server.pem', 'server-key.pem');
  if (pair && usableLeaf(pair, ca.certPem, sans)) return { ca: ca.certPem, cert: pair.certPem, key: pair.keyPem };
  return issueServerCert(stateDir, machine, ca, sans, key);
}

/** Rotate a machine's server certificate; the next provisioning uploads it and restarts the daemon. */
export async function regenerateServerCert(stateDir: string, machine: string, sans: string[]): Promise<ServerCertFiles> {
  const ca = await ensureCa(stateDir);
  return issueServerCert(stateDir, machine, ca, sans, takePendingKey(stateDir, machine));
}
