// `mfile state unlock ID`: the way out when a holder died; the id must match, so a live lock is not hit by mistake.
import fsp from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { takeoverPathFor } from './lock.js';
import { readLock } from './lock-info.js';
import { lockPathFor } from './state-path.js';

export async function forceUnlock(statePath: string, lockId: string): Promise<void> {
  const lockPath = lockPathFor(statePath);
  const r = await readLock(lockPath);
  if (r.kind === 'free') throw new UsageError(`no lock is held on ${statePath}`);
  if (r.kind === 'damaged') {
    throw new UsageError(`lock file ${lockPath} cannot be read (${r.reason}); if no mfile is running, delete it`);
  }
  if (r.info.id !== lockId) {
    throw new UsageError(
      `lock id ${lockId} does not match the lock held by ${r.info.who} (${r.info.operation}, since ` +
        `${r.info.created}), whose id is ${r.info.id}`,
    );
  }
  await fsp.rm(lockPath, { force: true });
  // A takeover file is left only by a run killed while taking over a lock: it would stop every later takeover.
  await fsp.rm(takeoverPathFor(lockPath), { force: true });
}
