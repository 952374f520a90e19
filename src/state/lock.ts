// One writer at a time: `<state>.lock` is created with O_EXCL and names its holder.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { StateError } from '../errors.js';
import { ensureOwnedDir } from '../fs-safety/owned-dir.js';
import type { LockInfo } from '../model/state.js';
import { thisProcess, holderState } from './lock-holder.js';
import { describeHolder, lockedError, readLock, whoAmI } from './lock-info.js';
import { lockPathFor } from './state-path.js';

export interface LockOptions {
  /** Keep trying this long (ms) while someone else holds the lock; default 0: fail at once. */
  timeoutMs?: number;
  /** Told in one line when a lock left by a holder proven gone is taken over. */
  notice?: (line: string) => void;
}

export interface StateLock {
  info: LockInfo;
  /** The lock of a holder proven gone that this one replaced. */
  tookOverFrom?: LockInfo;
  /** Removes the lock file if it is still ours (someone may have force-unlocked and relocked). Idempotent. */
  release(): Promise<void>;
}

/**
 * Synchronous on purpose: a signal is handled between event-loop turns, so it can never land between creating
 * the file and writing its holder, or between that and registering the exit hook that removes it.
 */
function tryCreate(lockPath: string, info: LockInfo): boolean {
  let fd: number;
  try {
    fd = fs.openSync(lockPath, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new StateError(`cannot create lock file ${lockPath}: ${(err as Error).message}`);
  }
  try {
    fs.writeSync(fd, JSON.stringify(info, null, 2) + '\n');
    fs.fsyncSync(fd);
  } catch (err) {
    fs.rmSync(lockPath, { force: true }); // a holder-less lock would block every later run (disk full, say)
    throw new StateError(`cannot write lock file ${lockPath}: ${(err as Error).message}`);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

function removeIfOurs(lockPath: string, id: string): void {
  try {
    const held = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as Partial<LockInfo>;
    if (held.id === id) fs.unlinkSync(lockPath);
  } catch {
    // gone or unreadable: not ours to remove
  }
}

function readIdSync(lockPath: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(lockPath, 'utf8')) as Partial<LockInfo>).id;
  } catch {
    return undefined;
  }
}

/**
 * Replaces the lock `gone` (its holder proven gone) with ours. Two runs may find the same dead lock: only the one
 * that creates `<lock>.takeover` first replaces it, and only if the lock is still `gone`'s, so a lock just taken
 * by another run is never removed. Synchronous, like tryCreate. A takeover file left by a run killed within these
 * few calls only stops later takeovers: `mfile state unlock` removes it with the lock.
 */
function takeOver(lockPath: string, gone: LockInfo, mine: LockInfo): boolean {
  const guard = takeoverPathFor(lockPath);
  if (!tryCreate(guard, mine)) return false;
  try {
    if (readIdSync(lockPath) !== gone.id) return false;
    fs.unlinkSync(lockPath);
    return tryCreate(lockPath, mine);
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

export const takeoverPathFor = (lockPath: string): string => `${lockPath}.takeover`;

/** Looks again this many times at a lock that another run is taking over (or died taking over), 10 ms apart, or that vanished as it was read. */
const TAKEOVER_TRIES = 20;

const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

export async function acquireLock(statePath: string, operation: string, opts: LockOptions = {}): Promise<StateLock> {
  const lockPath = lockPathFor(statePath);
  // The state folder also holds the keys: refuse one that is a symlink or someone else's before writing anything.
  await ensureOwnedDir(path.dirname(lockPath));
  const deadline = Date.now() + Math.max(0, opts.timeoutMs ?? 0);
  let delay = 50;
  const me = thisProcess();
  let takeoverTries = 0;
  for (;;) {
    const info: LockInfo = {
      id: randomUUID(),
      operation,
      who: whoAmI(),
      pid: process.pid,
      created: new Date().toISOString(),
      ...(me ? { process: me } : {}),
    };
    if (tryCreate(lockPath, info)) return heldLock(lockPath, info);
    const held = await readLock(lockPath);
    // Gone between our create and our read (its holder released it, or a takeover is replacing it): try again at
    // once, to take it or to name the run that did.
    if (held.kind === 'free' && ++takeoverTries < TAKEOVER_TRIES) continue;
    if (held.kind === 'held' && holderState(held.info) === 'gone') {
      if (takeOver(lockPath, held.info, info)) {
        opts.notice?.(`took over the state lock of ${describeHolder(held.info)}: that process is no longer running`);
        return { ...heldLock(lockPath, info), tookOverFrom: held.info };
      }
      // Another run is taking it over this instant: look again shortly, to name the one that got it.
      if (++takeoverTries < TAKEOVER_TRIES) {
        await sleep(10);
        continue;
      }
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw lockedError(lockPath, held);
    await sleep(Math.min(delay, remaining));
    delay = Math.min(delay * 1.5, 1000);
  }
}

function heldLock(lockPath: string, info: LockInfo): StateLock {
  // If the process exits without release() (process.exit in an error path), still leave no lock behind.
  const onExit = (): void => removeIfOurs(lockPath, info.id);
  process.once('exit', onExit);
  let released = false;
  return {
    info,
    async release(): Promise<void> {
      if (released) return;
      released = true;
      process.removeListener('exit', onExit);
      removeIfOurs(lockPath, info.id);
    },
  };
}
