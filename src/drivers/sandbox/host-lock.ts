// The box-wide lock of the sandbox driver, for the shared pieces (bridge, FORWARD rule, address files): a lock file
// (../lock-file.ts) in the driver's run folder.
import { join } from 'node:path';
import { withLockFile } from '../lock-file.js';

export { acquireLockFile, withLockFile, type LockFileHold } from '../lock-file.js';

export const SANDBOX_RUN_DIR = '/run/mfile-sandbox';
const LOCK = join(SANDBOX_RUN_DIR, 'lock');

/** Run fn while holding the box-wide sandbox lock (serialised in-process too). */
export function withHostLock<T>(fn: () => Promise<T>): Promise<T> {
  return withLockFile(LOCK, fn);
}
