// A lock across mfile processes on this box for the shared pieces (bridge, FORWARD rule, address files).
// mkdir is atomic; a lock whose owner pid is gone is taken over.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
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
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await mkdir(LOCK);
      await writeFile(join(LOCK, 'pid'), String(process.pid));
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = Number(await readFile(join(LOCK, 'pid'), 'utf8').catch(() => '0'));
    if (owner && owner !== process.pid && !alive(owner)) await rm(LOCK, { recursive: true, force: true });
    if (Date.now() > deadline) throw new Error(`sandbox lock ${LOCK} is held by pid ${owner}`);
    await sleep(20);
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
