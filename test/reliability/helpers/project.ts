// machines.yml builder for reliability tests: a machine set (a parameter) and containers spread over it.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TEST_IMAGE } from './docker.js';

export interface MachineDef {
  name: string;
  /** The machine's mapping in machines.yml, flow style. */
  yaml: string;
  /** Where the docker CLI reaches its engine (undefined = the root dockerd). */
  host: string | undefined;
  /** Keys every container on this machine gets (e.g. network_mode: none where there is no bridge). */
  containerKeys: string[];
  /** Networks declared for containers on this machine (created by mfile on it). */
  networks: string[];
}

/** The root engine. Its default bridge (docker0) may be missing on test hosts, so containers join a declared network. */
export function localMachine(name: string): MachineDef {
  return { name, yaml: '{ driver: local }', host: undefined, containerKeys: ['networks: [net]'], networks: ['net'] };
}

/** An existing engine reached with driver none (unix socket or plain tcp). */
export function noneMachine(name: string, url: string, dockerHost: string, opts: { networkNone?: boolean } = {}): MachineDef {
  const tls = url.startsWith('tcp://') ? ', tls: false' : '';
  return {
    name,
    yaml: `{ driver: none, none: { url: "${url}" }${tls} }`,
    host: dockerHost,
    containerKeys: opts.networkNone === false ? ['networks: [net]'] : ['network_mode: none'],
    networks: opts.networkNone === false ? ['net'] : [],
  };
}

export interface ContainerDef {
  name: string;
  machine: string;
  health?: boolean;
  dependsOn?: Record<string, 'service_started' | 'service_healthy'>;
  env?: Record<string, string>;
}

export const HEALTHCHECK = 'healthcheck: { test: ["CMD-SHELL", "echo | nc -w 1 127.0.0.1 80"], interval: 250ms, timeout: 2s, retries: 40 }';

export function machinesYaml(project: string, machines: MachineDef[], containers: ContainerDef[]): string {
  const byName = new Map(machines.map((m) => [m.name, m]));
  const nets = [...new Set(machines.flatMap((m) => m.networks))];
  const out = [`version: 1`, `project: ${project}`, `machines:`];
  for (const m of machines) out.push(`  ${m.name}: ${m.yaml}`);
  if (nets.length) {
    out.push('networks:');
    // A network declared once is made on every machine whose containers use it.
    for (const n of nets) out.push(`  ${n}: {}`);
  }
  out.push('containers:');
  for (const c of containers) {
    const m = byName.get(c.machine);
    if (!m) throw new Error(`container ${c.name}: unknown machine ${c.machine}`);
    out.push(`  ${c.name}:`, `    machine: ${c.machine}`, `    image: ${TEST_IMAGE}`, `    command: ["httpd", "-f", "-p", "80", "-h", "/www"]`);
    out.push(`    stop_grace_period: 1s`);
    for (const k of m.containerKeys) out.push(`    ${k}`);
    if (c.health) out.push(`    ${HEALTHCHECK}`);
    if (c.env && Object.keys(c.env).length) out.push(`    environment: ${JSON.stringify(c.env)}`);
    if (c.dependsOn && Object.keys(c.dependsOn).length) {
      out.push('    depends_on:');
      for (const [dep, cond] of Object.entries(c.dependsOn)) out.push(`      ${dep}: { condition: ${cond} }`);
    }
  }
  return out.join('\n') + '\n';
}

export interface ProjectDir {
  dir: string;
  file: string;
  statePath: string;
  lockPath: string;
  write(yaml: string): void;
}

export function projectDir(label: string): ProjectDir {
  const dir = mkdtempSync(path.join(tmpdir(), `mfile-rel-${label}-`));
  const file = path.join(dir, 'machines.yml');
  const statePath = path.join(dir, '.mfile', 'state.json');
  return { dir, file, statePath, lockPath: `${statePath}.lock`, write: (y) => writeFileSync(file, y) };
}

/** A project name no other run on this host uses (labels are the only thing tests share on the engine). */
export function uniqueProject(prefix: string): string {
  return `${prefix}${process.pid}${Math.floor(Math.random() * 1e4)}`.toLowerCase();
}

export interface StateSummary {
  serial: number;
  lineage: string;
  objects: Record<string, { status?: string }>;
}

/** Parses the state file as a user's tools would: JSON, with a numeric serial. Throws with the reason. */
export function readStateFile(statePath: string): StateSummary {
  const text = readFileSync(statePath, 'utf8');
  let data: StateSummary;
  try {
    data = JSON.parse(text) as StateSummary;
  } catch (err) {
    throw new Error(`state.json does not parse (${(err as Error).message}); first bytes: ${JSON.stringify(text.slice(0, 120))}`);
  }
  if (typeof data.serial !== 'number') throw new Error(`state.json serial is not a number: ${JSON.stringify(data.serial)}`);
  return data;
}

export const stateExists = (statePath: string): boolean => existsSync(statePath);

/** `state is locked by <who>, process <pid> (<operation>, since <time>, lock id <id>)` */
export const LOCK_ERROR = /state is locked by (\S+), process (\d+) \((\w+), since (\S+), lock id ([0-9a-f-]{36})\)/;

/** The one line a run prints when it takes over the lock of a killed run: `... process <pid> (... lock id <id>) ...`. */
export const LOCK_TAKEOVER = /^Warning: took over the state lock of \S+, process (\d+) \(\w+, since \S+, lock id ([0-9a-f-]{36})\): that process is no longer running$/m;

/** Deterministic PRNG (mulberry32) so a failing crash schedule can be replayed with the same seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
