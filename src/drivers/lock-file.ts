// A lock file across mfile processes on this box, for what they share (a sandbox bridge, a downloaded image).
// The lock file appears whole (written aside, then hard-linked into place: link fails if the lock exists) and
// names its owner's pid and a token unique to this hold, so a process killed at any moment never leaves an
// ownerless lock, and release removes the lock only while it still holds our token. A lock whose owner is gone
// (a zombie counts as gone) is removed by exactly one process: the one that claims the right to reap that very
// hold (a file named after it, placed the same way), which checks that the lock is still that hold first. So a
// live holder's lock is never removed, however many processes find the same dead owner at once.
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, lstat, mkdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { alive } from './process-alive.js';

const WAIT_MS = 30_000;
/** A lock with no owner in it (a folder or file of an older mfile) counts as stale once untouched this long. */
const OWNERLESS_STALE_MS = 10_000;

interface Seen {
  /** Names this very hold: its text (pid and token), or for an ownerless lock its inode, mtime and text. */
  key: string;
  stale: boolean;
  owner: string;
}

const digest = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 24);
const holdText = (token: string): string => `${process.pid} ${token}\n`;

async function inspect(path: string): Promise<Seen | undefined> {
  const st = await lstat(path).catch(() => undefined);
  if (!st) return undefined;
  const text = st.isFile() ? await readFile(path, 'utf8').catch(() => '') : '';
  const m = /^(\d+)(?: \S+)?\n?$/.exec(text);
  if (m) return { key: digest(text), stale: !alive(Number(m[1])), owner: `pid ${m[1]}` };
  return { key: digest(`${st.ino}:${st.mtimeMs}:${text}`), stale: Date.now() - st.mtimeMs > OWNERLESS_STALE_MS, owner: 'unknown' };
}

/** Places `path` holding our pid and token, whole, unless it exists. */
async function place(path: string, token: string): Promise<boolean> {
  const aside = `${path}.${token}`;
  await writeFile(aside, holdText(token), { mode: 0o600, flag: 'wx' });
  try {
    await link(aside, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await unlink(aside).catch(() => undefined);
  }
}

/** Removes `path` only while it holds our token: never a lock someone else took over. Synchronous for exit hooks. */
function removeIfOurs(path: string, token: string): void {
  try {
    if (readFileSync(path, 'utf8') === holdText(token)) unlinkSync(path);
  } catch {
    // gone already, or not readable: not ours to remove
  }
}

/** Removes the stale lock `seen` at `path` if it is still that hold; only the claimant of `<path>.reap-<key>` may. */
async function reap(path: string, seen: Seen, depth = 0): Promise<void> {
  const claim = `${path}.reap-${seen.key}`;
  const token = randomUUID();
  if (!(await place(claim, token))) {
    // Another process is reaping this very hold. If that reaper died in the act, its claim is stale in turn.
    const other = depth < 3 ? await inspect(claim) : undefined;
    if (other?.stale) await reap(claim, other, depth + 1);
    return;
  }
  try {
    // The stale hold can only go away through a claimant of this name, and there is one at a time: if the lock
    // still is that hold now, it still is when removed.
    if ((await inspect(path))?.key === seen.key) await rm(path, { recursive: true, force: true });
  } finally {
    removeIfOurs(claim, token);
  }
}

export interface LockFileHold {
  release(): void;
}

export interface LockFileOptions {
  /** Give up after this long while a live process holds it (default 30 s). */
  timeoutMs?: number;
  /** Look again this often (default 20 ms). */
  pollMs?: number;
  signal?: AbortSignal;
  /** Told once, with the holder (`pid N`), when the lock is held by someone else. */
  onWait?: (owner: string) => void;
}

/** Takes the lock file at `path`, waiting while a live process holds it. */
export async function acquireLockFile(path: string, opts: LockFileOptions = {}): Promise<LockFileHold> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const token = randomUUID();
  const deadline = Date.now() + (opts.timeoutMs ?? WAIT_MS);
  let told = false;
  for (;;) {
    if (await place(path, token)) break;
    const seen = await inspect(path);
    if (seen?.stale) await reap(path, seen);
    else if (seen && !told) {
      told = true;
      opts.onWait?.(seen.owner);
    }
    if (Date.now() > deadline) throw new Error(`lock ${path} is held by ${seen?.owner ?? 'unknown'}`);
    await sleep(opts.pollMs ?? 20, undefined, { signal: opts.signal });
  }
  // A process that exits without releasing (process.exit on a signal) still leaves no lock behind.
  const onExit = (): void => removeIfOurs(path, token);
  process.once('exit', onExit);
  return {
    release(): void {
      process.removeListener('exit', onExit);
      removeIfOurs(path, token);
    },
  };
}

const chains = new Map<string, Promise<unknown>>();

/** Run fn while holding the lock file at `path` (serialised in-process too). */
export function withLockFile<T>(path: string, fn: () => Promise<T>, opts: LockFileOptions = {}): Promise<T> {
  const next = (chains.get(path) ?? Promise.resolve()).then(async () => {
    const hold = await acquireLockFile(path, opts);
    try {
      return await fn();
    } finally {
      hold.release();
    }
  });
  chains.set(path, next.catch(() => undefined));
  return next;
}
