// Where plugins are: paths named in machines.yml's `drivers:` map first, then executables mfile-driver-NAME on PATH.
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { toTraits, type Described } from './describe.js';
import { PLUGIN_PREFIX } from './protocol.js';
import { callOnce, type SessionOptions } from './runner.js';

function executable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function pathDirs(env: NodeJS.ProcessEnv): string[] {
  return (env.PATH ?? '').split(delimiter).filter((d) => d && isAbsolute(d));
}

/** The executable for `driver: NAME` on PATH (the first folder that has one), or undefined. */
export function pluginOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of pathDirs(env)) {
    const p = join(dir, PLUGIN_PREFIX + name);
    if (executable(p)) return p;
  }
  return undefined;
}

/** Every plugin on PATH, by driver name (the first of a name wins, as the shell would pick it). */
export function pluginsOnPath(env: NodeJS.ProcessEnv = process.env): Map<string, string> {
  const found = new Map<string, string>();
  for (const dir of pathDirs(env)) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names.sort()) {
      const name = n.slice(PLUGIN_PREFIX.length);
      if (!n.startsWith(PLUGIN_PREFIX) || !name || found.has(name)) continue;
      if (executable(join(dir, n))) found.set(name, join(dir, n));
    }
  }
  return found;
}

/** A path from the `drivers:` map, relative to the folder of machines.yml. */
export function explicitPluginPath(configDir: string, path: string): string {
  return resolve(configDir, path);
}

/** Runs the plugin's handshake and describe, and checks the answer. Throws PluginFailure. */
export async function describePlugin(path: string, name: string, opts: SessionOptions = {}): Promise<Described> {
  return toTraits(path, name, await callOnce(path, 'describe', {}, opts));
}
