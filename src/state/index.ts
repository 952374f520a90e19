export { statePathFor, backupPathFor, lockPathFor } from './state-path.js';
export { StateStore } from './state-store.js';
export { acquireLock, type LockOptions, type StateLock } from './lock.js';
export { forceUnlock } from './unlock.js';
export { freshState } from './fresh-state.js';
export { writeFileAtomic, writeFileAtomicSync, type AtomicWriteOptions } from './atomic-write.js';
export { warnIfNotIgnored } from './git-ignore-check.js';
export type { LockInfo, State } from '../model/state.js';
export { ensurePlanKey, planKeyPath, readPlanKey } from './plan-key.js';
