// Where plugins are: paths named in machines.yml's `drivers:` map first, then executables mfile-driver-NAME on PATH.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { toTraits, type Described } from './describe.js';
import { oneLine, PluginFailure } from './failure.js';
import { majorOf, PLUGIN_PREFIX, PROTOCOL_MAJOR, PROTOCOL_VERSION, timeoutSeconds } from './protocol.js';
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
  return executableOnPath(PLUGIN_PREFIX + name, env);
}

/** The first executable FILE in PATH's folders, as the shell would pick it, or undefined. */
export function executableOnPath(file: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of pathDirs(env)) {
    const p = join(dir, file);
    if (executable(p)) return p;
  }
  return undefined;
}

/** Every plugin on PATH, by driver name (the first of a name wins, as the shell would pick it). */
export function pluginsOnPath(env: NodeJS.ProcessEnv = process.env, prefix: string = PLUGIN_PREFIX): Map<string, string> {
  const found = new Map<string, string>();
  for (const dir of pathDirs(env)) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names.sort()) {
      const name = n.slice(prefix.length);
      if (!n.startsWith(prefix) || !name || found.has(name)) continue;
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

/**
 * describe without waiting on a promise, for a driver met where no plugin was registered (a machine only the
 * state still names, being destroyed). Same handshake and checks as describePlugin.
 */
export function describePluginSync(path: string, name: string, env: NodeJS.ProcessEnv = process.env): Described {
  const lines = [
    { jsonrpc: '2.0', id: 1, method: 'handshake', params: { protocol: PROTOCOL_VERSION, client: 'mfile' } },
    { jsonrpc: '2.0', id: 2, method: 'describe', params: {} },
  ].map((m) => JSON.stringify(m) + '\n');
  const seconds = timeoutSeconds('describe', env);
  const r = spawnSync(path, [], { input: lines.join(''), encoding: 'utf8', timeout: seconds * 1000, env: { ...env, MFILE_DRIVER_PROTOCOL: PROTOCOL_VERSION } });
  if (r.error) throw new PluginFailure(path, 'describe', (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? ` timed out after ${seconds} s` : `: cannot run the plugin: ${oneLine(r.error.message)}`);
  const answers = new Map<unknown, { result?: unknown; error?: { message?: unknown } }>();
  for (const line of r.stdout.split('\n')) {
    try {
      const m = JSON.parse(line) as { id?: unknown; result?: unknown; error?: { message?: unknown } };
      if (m && typeof m === 'object' && 'id' in m) answers.set(m.id, m);
    } catch {
      /* not an answer; the checks below say what is missing */
    }
  }
  const hs = answers.get(1);
  const theirs = (hs?.result as { protocol?: unknown } | undefined)?.protocol;
  if (majorOf(theirs) !== PROTOCOL_MAJOR) {
    throw new PluginFailure(path, 'handshake', `: ${hs?.error ? oneLine(String(hs.error.message)) : `plugin speaks protocol ${String(theirs)}`}, mfile speaks ${PROTOCOL_VERSION}`);
  }
  const d = answers.get(2);
  if (!d || d.error) throw new PluginFailure(path, 'describe', `: ${d?.error ? oneLine(String(d.error.message)) : 'no answer'}`);
  return toTraits(path, name, d.result);
}
