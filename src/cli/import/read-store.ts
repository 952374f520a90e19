// Reads a Docker Machine store (`machines/NAME/config.json` and the certificates it names) without writing to
// it: every file is opened read-only. Problems are one-line UsageErrors that name the file.
import { readFile, readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { DOCKER_MACHINE_NONE_DRIVER } from '../../drivers/docker-machine/store-names.js';

export interface StoreMachine {
  name: string;
  /** Docker Machine's driver name (`none`, `generic`, `virtualbox`, ...). */
  driverName: string;
  configFile: string;
  /** tcp://HOST:PORT of the engine, when the config names one. */
  url?: string;
  ssh?: { host: string; port: number; user: string; keyFile?: string };
  /** Client TLS files as PEM text: the store's CA certificate, client certificate and client key. */
  tls?: { ca: string; cert: string; key: string };
}

/** `--store`, else $MACHINE_STORAGE_PATH, else ~/.docker/machine (Docker Machine's own order). */
export function storeDir(option: string | undefined, env: NodeJS.ProcessEnv): string {
  return resolve(option ?? env.MACHINE_STORAGE_PATH ?? join(homedir(), '.docker', 'machine'));
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

async function readConfig(file: string): Promise<Json> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  const c = obj(parsed);
  if (typeof c.DriverName !== 'string' || !c.DriverName || typeof c.Driver !== 'object' || c.Driver === null) {
    throw new UsageError(`${file}: not a Docker Machine config.json (no DriverName and Driver)`);
  }
  return c;
}

/** The first of `candidates` that exists, read as text; null when none does. */
async function firstFile(candidates: string[]): Promise<string | null> {
  for (const f of candidates) {
    if (!f) continue;
    try {
      return await readFile(f, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`${f}: cannot read: ${(err as Error).message}`);
    }
  }
  return null;
}

// Docker Machine records absolute paths; a store that was moved still has its files beside config.json or in
// STORE/certs, so those are tried too (machine folder first: a per-machine copy wins over the shared one).
async function clientTls(store: string, name: string, auth: Json): Promise<StoreMachine['tls']> {
  const dir = join(store, 'machines', name);
  const pick = (file: string, recorded: unknown): Promise<string | null> =>
    firstFile([join(dir, file), isAbsolute(str(recorded)) ? str(recorded) : '', join(store, 'certs', file)]);
  const [ca, cert, key] = await Promise.all([pick('ca.pem', auth.CaCertPath), pick('cert.pem', auth.ClientCertPath), pick('key.pem', auth.ClientKeyPath)]);
  return ca && cert && key ? { ca, cert, key } : undefined;
}

export async function readMachine(store: string, name: string): Promise<StoreMachine> {
  const configFile = join(store, 'machines', name, 'config.json');
  const c = await readConfig(configFile);
  const driver = obj(c.Driver);
  const auth = obj(obj(c.HostOptions).AuthOptions);
  const m: StoreMachine = { name, driverName: str(c.DriverName), configFile };
  if (str(driver.URL)) m.url = str(driver.URL);
  const ip = str(driver.IPAddress);
  if (c.DriverName !== DOCKER_MACHINE_NONE_DRIVER && ip) {
    const port = typeof driver.SSHPort === 'number' && driver.SSHPort > 0 ? driver.SSHPort : 22;
    const keyFile = str(driver.SSHKeyPath);
    m.ssh = { host: ip, port, user: str(driver.SSHUser) || 'root', ...(keyFile ? { keyFile } : {}) };
    // Docker Machine's provisioners serve the engine on 2376 with its CA (libmachine's default engine port).
    if (!m.url) m.url = `tcp://${ip}:${typeof driver.EnginePort === 'number' && driver.EnginePort > 0 ? driver.EnginePort : 2376}`;
  }
  const tls = await clientTls(store, name, auth);
  if (tls) m.tls = tls;
  return m;
}

/** The machines to import: `names`, or every folder under STORE/machines. */
export async function listMachines(store: string, names: string[]): Promise<string[]> {
  const dir = join(store, 'machines');
  try {
    if (!(await stat(store)).isDirectory()) throw new Error('not a folder');
  } catch (err) {
    throw new UsageError(`${store}: no Docker Machine store here (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); use --store DIR or MACHINE_STORAGE_PATH`);
  }
  let present: string[] = [];
  try {
    present = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`${dir}: cannot read: ${(err as Error).message}`);
  }
  if (names.length === 0) {
    if (present.length === 0) throw new UsageError(`${dir}: the store holds no machines`);
    return present;
  }
  for (const n of names) {
    if (!present.includes(n)) {
      throw new UsageError(`${join(dir, n, 'config.json')}: no machine named ${n} in the store${present.length ? ` (it has: ${present.join(', ')})` : ''}`);
    }
  }
  return names;
}
