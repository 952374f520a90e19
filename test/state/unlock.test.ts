import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { StateStore, forceUnlock } from '../../src/state/index.js';
import { tmpDir } from './helpers/tmp.js';

describe('forceUnlock', () => {
  it('refuses a wrong id, naming the real one, and removes the lock with the right id', async () => {
    const store = new StateStore(path.join(tmpDir(), '.mfile', 'state.json'));
    const lock = await store.lock('apply');
    const err = (await forceUnlock(store.path, 'not-the-id').catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toContain(`whose id is ${lock.info.id}`);
    expect(fs.existsSync(`${store.path}.lock`)).toBe(true);

    await forceUnlock(store.path, lock.info.id);
    expect(fs.existsSync(`${store.path}.lock`)).toBe(false);
    const next = await store.lock('apply');
    await next.release();
  });

  it('says so when no lock is held', async () => {
    const statePath = path.join(tmpDir(), '.mfile', 'state.json');
    await expect(forceUnlock(statePath, 'abc')).rejects.toThrow(/^no lock is held/);
    await expect(forceUnlock(statePath, 'abc')).rejects.toBeInstanceOf(UsageError);
  });
});
