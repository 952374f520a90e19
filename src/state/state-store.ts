// The state file: read it (fresh when missing), lock it, and replace it atomically after every change.
import fsp from 'node:fs/promises';
import { StateError } from '../errors.js';
import { STATE_FORMAT_VERSION, type State } from '../model/state.js';
import { MFILE_VERSION } from '../version.js';
import { removeStaleTempFiles, writeFileAtomic } from './atomic-write.js';
import { freshState } from './fresh-state.js';
import { acquireLock, type LockOptions, type StateLock } from './lock.js';
import { parseState } from './parse-state.js';
import { backupPathFor } from './state-path.js';

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StateError(`cannot read state file ${file}: ${(err as Error).message}`);
  }
}

const shellWord = (p: string): string => (/^[\w@%+=:,./-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`);

export class StateStore {
  readonly path: string;
  /** Set by read() and write(): writes never go back in serial nor switch lineage. */
  private lineage: string | null = null;
  private serial = -1;
  private backedUp = false;
  // The executor writes after every node, concurrently; one write at a time keeps serials and renames ordered.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(path: string) {
    this.path = path;
  }

  get backupPath(): string {
    return backupPathFor(this.path);
  }

  async read(): Promise<State> {
    const text = await readIfExists(this.path);
    if (text === null) await this.refuseOrphanBackup();
    const state = text === null ? freshState() : parseState(this.path, text);
    this.lineage = state.lineage;
    this.serial = Math.max(this.serial, state.serial);
    return state;
  }

  // A missing state beside its backup is a lost file, not a new project: a fresh lineage would forget every
  // host the backup records (and the next write would replace that backup).
  private async refuseOrphanBackup(): Promise<void> {
    try {
      await fsp.access(this.backupPath);
    } catch {
      return;
    }
    throw new StateError(
      `state file ${this.path} is missing but its backup ${this.backupPath} exists; refusing to start a new state. ` +
        `Restore it with: cp -p ${shellWord(this.backupPath)} ${shellWord(this.path)} (or remove the backup to start afresh)`,
    );
  }

  lock(operation: string, opts: LockOptions = {}): Promise<StateLock> {
    return acquireLock(this.path, operation, opts);
  }

  /** Writes `state` with serial+1 (and never below what this store saw); returns what was written. */
  write(state: State): Promise<State> {
    // Snapshot now: the caller may keep mutating its object while this write waits its turn.
    const snapshot = JSON.parse(JSON.stringify(state)) as State;
    const run = this.queue.then(() => this.writeNow(snapshot));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async writeNow(state: State): Promise<State> {
    if (!this.backedUp) await this.backUpPrevious(state);
    if (this.lineage !== null && state.lineage !== this.lineage) {
      throw new StateError(
        `refusing to write state with lineage ${state.lineage} over ${this.path}, whose lineage is ${this.lineage}`,
      );
    }
    const next: State = {
      ...state,
      version: STATE_FORMAT_VERSION,
      mfile_version: MFILE_VERSION,
      serial: Math.max(state.serial, this.serial) + 1,
    };
    try {
      await writeFileAtomic(this.path, JSON.stringify(next, null, 2) + '\n');
    } catch (err) {
      throw new StateError(`cannot write state file ${this.path}: ${(err as Error).message}`);
    }
    this.lineage = next.lineage;
    this.serial = next.serial;
    return next;
  }

  // Keep the file as it was before this run, so one bad run can be undone by hand.
  private async backUpPrevious(state: State): Promise<void> {
    const text = await readIfExists(this.path);
    if (text !== null) {
      const previous = parseState(this.path, text); // never overwrite a file we could not read
      this.lineage ??= previous.lineage;
      if (previous.lineage !== state.lineage) {
        throw new StateError(
          `refusing to write state with lineage ${state.lineage} over ${this.path}, whose lineage is ${previous.lineage}`,
        );
      }
      this.serial = Math.max(this.serial, previous.serial);
      try {
        await writeFileAtomic(this.backupPath, text);
      } catch (err) {
        throw new StateError(`cannot write state backup ${this.backupPath}: ${(err as Error).message}`);
      }
    }
    this.backedUp = true;
    await removeStaleTempFiles(this.path);
    await removeStaleTempFiles(this.backupPath);
  }
}
