// Plugins for the drivers machines.yml names: found (the `drivers:` map, then PATH), described, and registered
// as drivers. Nothing is looked up when every machine uses a built-in driver, so `validate` stays fast.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import yaml from 'js-yaml';
import { DriverError } from '../errors.js';
import { builtinCatalog } from '../drivers/catalog.js';
import type { Described } from '../drivers/plugin/describe.js';
import { DOCKER_MACHINE_DRIVER_PREFIX, dockerMachineDriverName } from '../model/docker-machine-names.js';
import type { DriverTraits } from '../model/driver-traits.js';
import { MFILE_VERSION } from '../version.js';
import { namesOnlyBuiltinDrivers } from './builtin-drivers-only.js';

// The plugin machinery (and through the driver registry every built-in driver's libraries, a cloud SDK among
// them) is loaded only when a file names a driver that is not built in: start-up is most of a small run.
const registry = () => import('../drivers/registry.js');
const pluginAdapter = () => import('../drivers/plugin/adapter.js');
const pluginDiscovery = () => import('../drivers/plugin/discovery.js');
const pluginFailure = () => import('../drivers/plugin/failure.js');
const dockerMachine = () => import('../drivers/docker-machine/driver.js');
const dockerMachineDiscovery = () => import('../drivers/docker-machine/discovery.js');

const CLIENT = `mfile ${MFILE_VERSION}`;

export const BUILTIN_DRIVERS: ReadonlySet<string> = new Set(builtinCatalog().keys());

interface DriverUse {
  /** Driver name -> the first machine that uses it. */
  used: Map<string, string>;
  /** The `drivers:` map: name -> path as written. */
  explicit: Map<string, string>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The driver names and plugin paths machines.yml holds; nothing when it cannot be read (loading reports that). */
export function driverUse(file: string): DriverUse {
  const use: DriverUse = { used: new Map(), explicit: new Map() };
  let data: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    if (namesOnlyBuiltinDrivers(text, BUILTIN_DRIVERS)) return use;
    data = yaml.load(text);
  } catch {
    return use;
  }
  if (!isObject(data)) return use;
  if (isObject(data.machines)) {
    for (const [machine, m] of Object.entries(data.machines)) {
      if (isObject(m) && typeof m.driver === 'string' && !use.used.has(m.driver)) use.used.set(m.driver, machine);
    }
  }
  if (isObject(data.drivers)) {
    for (const [name, path] of Object.entries(data.drivers)) if (typeof path === 'string') use.explicit.set(name, path);
  }
  return use;
}

async function register(d: Described, cwd: string): Promise<void> {
  const [{ registerDriver }, { pluginDriver }] = await Promise.all([registry(), pluginAdapter()]);
  registerDriver(d.traits.name, () => pluginDriver(d, { cwd, client: CLIENT }));
}

/**
 * Describes and registers the plugins for the drivers machines.yml names that are not built in. A name no plugin
 * answers to is left for the config check, which reports it at its position.
 */
export async function loadPluginsFor(file: string, env: NodeJS.ProcessEnv = process.env): Promise<{ traits: DriverTraits }[]> {
  const use = driverUse(file);
  const wanted = [...use.used.keys()].filter((n) => !BUILTIN_DRIVERS.has(n));
  if (wanted.length === 0) return [];
  const configDir = dirname(resolve(file));
  const [{ describePlugin, explicitPluginPath, pluginOnPath }, { PluginFailure }] = await Promise.all([pluginDiscovery(), pluginFailure()]);
  const found: { traits: DriverTraits }[] = [];
  for (const name of wanted) {
    const dm = dockerMachineDriverName(name);
    if (dm !== undefined) {
      const d = await loadDockerMachine(dm, use.used.get(name)!, env);
      if (d) found.push(d);
      continue;
    }
    const written = use.explicit.get(name);
    const path = written !== undefined ? explicitPluginPath(configDir, written) : pluginOnPath(name, env);
    if (!path) continue;
    try {
      const d = await describePlugin(path, name, { cwd: configDir, env, client: CLIENT });
      await register(d, configDir);
      found.push(d);
    } catch (err) {
      if (err instanceof PluginFailure) throw new DriverError(use.used.get(name)!, err.message);
      throw err;
    }
  }
  return found;
}

/**
 * `docker-machine:NAME`: the binary on PATH asked for its create flags and registered. Not on PATH: left for the
 * config check, which reports it at the machine's driver key.
 */
async function loadDockerMachine(name: string, machine: string, env: NodeJS.ProcessEnv): Promise<{ traits: DriverTraits } | undefined> {
  const { describeDockerMachine, dockerMachineOnPath } = await dockerMachineDiscovery();
  const path = dockerMachineOnPath(name, env);
  if (!path) return undefined;
  const d = await describeDockerMachine(path, name, machine, env);
  const [{ registerDriver }, { dockerMachineDriver }] = await Promise.all([registry(), dockerMachine()]);
  registerDriver(d.traits.name, () => dockerMachineDriver({ name, command: path, traits: d.traits, env }));
  return d;
}

/** Every plugin on PATH and in the `drivers:` map of FILE (when given), described; ones that fail are skipped with a note. */
export async function describeAllPlugins(file: string | undefined, env: NodeJS.ProcessEnv, note: (line: string) => void): Promise<{ traits: DriverTraits }[]> {
  const [{ describePlugin, explicitPluginPath, pluginsOnPath }, { PluginFailure }, { describeDockerMachine, dockerMachinesOnPath }] = await Promise.all([
    pluginDiscovery(),
    pluginFailure(),
    dockerMachineDiscovery(),
  ]);
  const paths = pluginsOnPath(env);
  let cwd = process.cwd();
  if (file) {
    cwd = dirname(resolve(file));
    for (const [name, p] of driverUse(file).explicit) paths.set(name, explicitPluginPath(cwd, p));
  }
  const out: { traits: DriverTraits }[] = [];
  for (const [name, path] of [...paths].sort(([a], [b]) => a.localeCompare(b))) {
    if (BUILTIN_DRIVERS.has(name)) continue;
    try {
      out.push(await describePlugin(path, name, { cwd, env }));
    } catch (err) {
      if (!(err instanceof PluginFailure)) throw err;
      note(`${err.message} (left out)`);
    }
  }
  for (const [name, path] of [...dockerMachinesOnPath(env)].sort(([a], [b]) => a.localeCompare(b))) {
    try {
      out.push(await describeDockerMachine(path, name, DOCKER_MACHINE_DRIVER_PREFIX + name, env));
    } catch (err) {
      if (!(err instanceof DriverError)) throw err;
      note(`${err.message} (left out)`);
    }
  }
  return out;
}
