// Reading and describing the lock file's LockInfo.
import fsp from 'node:fs/promises';
import os from 'node:os';
import { LockError } from '../errors.js';
import type { LockInfo } from '../model/state.js';
import { holderState } from './lock-holder.js';

export function whoAmI(): string {
  let user: string;
  try {
    user = os.userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.LOGNAME ?? 'unknown'; // no passwd entry (some containers)
  }
  return `${user}@${os.hostname()}`;
}

export type LockRead = { kind: 'free' } | { kind: 'held'; info: LockInfo } | { kind: 'damaged'; reason: string };

function isLockInfo(v: unknown): v is LockInfo {
  const o = v as Record<string, unknown> | null;
  return (
    typeof o === 'object' && o !== null &&
    typeof o.id === 'string' && typeof o.operation === 'string' && typeof o.who === 'string' &&
    typeof o.pid === 'number' && typeof o.created === 'string'
  );
}

async function readOnce(lockPath: string): Promise<LockRead> {
  let text: string;
  try {
    text = await fsp.readFile(lockPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'free' };
    return { kind: 'damaged', reason: (err as Error).message };
  }
  try {
    const data: unknown = JSON.parse(text);
    if (isLockInfo(data)) return { kind: 'held', info: data };
    return { kind: 'damaged', reason: 'it does not hold lock information' };
  } catch {
    return { kind: 'damaged', reason: text.length === 0 ? 'it is empty' : 'it is not valid JSON' };
  }
}

/**
 * The holder writes its info just after creating the file, so a reader may see it empty for an instant:
 * look again a few times before calling it damaged.
 */
export async function readLock(lockPath: string): Promise<LockRead> {
  let r = await readOnce(lockPath);
  for (let i = 0; i < 5 && r.kind === 'damaged'; i++) {
    await new Promise((res) => setTimeout(res, 20 * (i + 1)));
    r = await readOnce(lockPath);
  }
  return r;
}

/** `root@box, process 4242 (apply, since …, lock id …)`: who holds it, on which host, with which pid. */
export function describeHolder(info: LockInfo): string {
  return `${info.who}, process ${info.pid} (${info.operation}, since ${info.created}, lock id ${info.id})`;
}

export function lockedError(lockPath: string, r: LockRead): LockError {
  if (r.kind === 'held') {
    const { info } = r;
    let msg = `state is locked by ${describeHolder(info)}`;
    // A lock from a dead holder is taken over when it proves it (see holderState); when that did not happen, a
    // user confirms.
    if (holderState(info) !== 'held') {
      msg +=
        `\nprocess ${info.pid} that took it is no longer running on this host; ` +
        `if no other mfile is running, remove the lock with: mfile state unlock ${info.id}`;
    }
    return new LockError(msg);
  }
  const reason = r.kind === 'damaged' ? r.reason : 'it vanished while being read';
  return new LockError(
    `state is locked, but lock file ${lockPath} cannot be read (${reason}); if no mfile is running, delete it`,
  );
}
