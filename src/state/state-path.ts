import path from 'node:path';

/** Where the state file lives: `--state` when given, else `<config dir>/.mfile/state.json`. Always absolute. */
export function statePathFor(configPath: string, override?: string): string {
  if (override) return path.resolve(override);
  return path.join(path.dirname(path.resolve(configPath)), '.mfile', 'state.json');
}

export function backupPathFor(statePath: string): string {
  return `${statePath}.backup`;
}

export function lockPathFor(statePath: string): string {
  return `${statePath}.lock`;
}
