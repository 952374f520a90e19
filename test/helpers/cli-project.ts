// A project folder of machines.yml driven through the built CLI, as a user drives it: run verbs, read
// state.json, and reach a machine's engine with the real docker CLI through `eval "$(mfile env NAME)"`.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { State } from '../../src/model/index.js';
import { MFILE_BIN, mfile, REPO_ROOT, type CliResult } from './cli.js';

/** Verbs whose options sit on a subcommand. */
const GROUPS = new Set(['state', 'ssh-keys']);

export interface CliProject {
  dir: string;
  stateFile: string;
  write(yaml: string): void;
  /** `mfile VERB -f machines.yml ARGS...` in the project folder. */
  run(args: string[], opts?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): CliResult;
  state(): State;
  /** The docker CLI in a shell that ran `eval "$(mfile env MACHINE)"`. */
  docker(machine: string, args: string[]): SpawnSyncReturns<string>;
}

/** A fresh folder below the repository (not /tmp: sshd's StrictModes rejects keys below world-writable folders). */
export function cliProject(label: string): CliProject {
  const base = path.join(REPO_ROOT, '.test-work');
  mkdirSync(base, { recursive: true, mode: 0o700 });
  const dir = mkdtempSync(path.join(base, `${label}-`));
  const stateFile = path.join(dir, '.mfile/state.json');
  return {
    dir,
    stateFile,
    write: (yaml) => writeFileSync(path.join(dir, 'machines.yml'), yaml),
    run: (args, opts = {}) => {
      const verb = GROUPS.has(args[0]) ? 2 : 1; // `-f` belongs to the subcommand: `mfile state unlock -f FILE ID`
      return mfile([...args.slice(0, verb), '-f', 'machines.yml', ...args.slice(verb)], { cwd: dir, timeoutMs: opts.timeoutMs ?? 300_000, env: opts.env });
    },
    state: () => (existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as State) : ({ machines: {}, objects: {} } as unknown as State)),
    docker: (machine, args) =>
      spawnSync('bash', ['-c', 'eval "$("$0" "$1" env "$2" -f machines.yml)" && exec docker "${@:3}"', process.execPath, MFILE_BIN, machine, ...args], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, CI: 'true', NO_COLOR: '1', DOCKER_CONFIG: path.join(dir, '.docker') },
      }),
  };
}
