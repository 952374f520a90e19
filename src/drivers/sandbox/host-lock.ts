// A lock across mfile processes on this box for the shared pieces (bridge, FORWARD rule, address files).
// The lock file appears whole, already holding its owner's pid (written aside, then hard-linked into place:
// link fails if the lock exists), so a process killed at any moment never leaves an ownerless lock; a lock
// whose owner pid is gone is taken over.
import { link, mkdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const SANDBOX_RUN_DIR = '/run/mfile-sandbox';
const LOCK = join(SANDBOX_RUN_DIR, 'lock');

let chain: Promise<unknown> = Promise.resolve();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function acquire(): Promise<void> {
  await mkdir(SANDBOX_RUN_DIR, { recursive: true, mode: 0o700 });
  const mine = `${LOCK}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  await writeFile(mine, String(process.pid), { mode: 0o600 });
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      try {
        await link(mine, LOCK);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const owner = Number(await readFile(LOCK, 'utf8').catch(() => '0'));
      if (owner && owner !== process.pid && !alive(owner)) await rm(LOCK, { recursive: true, force: true });
      // A lock folder of an older mfile, or a lock that vanished between link and read: stale after 10 s.
      else if (!owner && Date.now() - ((await stat(LOCK).catch(() => undefined))?.mtimeMs ?? Date.now()) > 10_000) {
        await rm(LOCK, { recursive: true, force: true });
      }
      if (Date.now() > deadline) throw new Error(`sandbox lock ${LOCK} is held by pid ${owner || 'unknown'}`);
      await sleep(20);
    }
  } finally {
    await unlink(mine).catch(() => undefined);
  }
}

/** Run fn while holding the box-wide sandbox lock (serialised in-process too). */
export function withHostLock<T>(fn: () => Promise<T>): Promise<T> {
  const next = chain.then(async () => {
    await acquire();
    try {
      return await fn();
    } finally {
      await rm(LOCK, { recursive: true, force: true });
    }
  });
  chain = next.catch(() => undefined);
  return next;
}
