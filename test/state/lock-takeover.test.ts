// Taking over a lock whose holder is proven gone, and refusing whenever that cannot be proven.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LockError } from '../../src/errors.js';
import type { LockInfo } from '../../src/model/state.js';
import { StateStore, forceUnlock } from '../../src/state/index.js';
import { thisProcess } from '../../src/state/lock-holder.js';
import { tmpDir } from './helpers/tmp.js';

const me = thisProcess()!;
const DEAD_PID = 2 ** 22 + 4321; // above the default pid_max: no such process

function withLock(info: LockInfo): StateStore {
  const store = new StateStore(path.join(tmpDir(), '.mfile', 'state.json'));
  fs.mkdirSync(path.dirname(store.path), { recursive: true });
  fs.writeFileSync(`${store.path}.lock`, JSON.stringify(info));
  return store;
}

const lockOf = (over: Partial<LockInfo>): LockInfo => ({
  id: 'old-1',
  operation: 'apply',
  who: `${os.userInfo().username}@${os.hostname()}`,
  pid: DEAD_PID,
  created: '2026-01-01T00:00:00.000Z',
  process: me,
  ...over,
});

const heldId = (store: StateStore): string => JSON.parse(fs.readFileSync(`${store.path}.lock`, 'utf8')).id as string;

describe('lock takeover', () => {
  it('a lock it takes records its kernel boot, pid namespace and start time', async () => {
    const store = new StateStore(path.join(tmpDir(), '.mfile', 'state.json'));
    const lock = await store.lock('apply');
    expect(lock.info.process).toEqual(me);
    expect(me.instance).toMatch(/^[0-9a-f-]{36} pid:\[\d+\]$/);
    await lock.release();
  });

  it('takes over the lock of a pid that is gone, saying so in one line', async () => {
    const store = withLock(lockOf({}));
    const notices: string[] = [];
    const lock = await store.lock('plan', { notice: (l) => notices.push(l) });
    expect(notices).toHaveLength(1);
    expect(notices[0]).toBe(
      `took over the state lock of ${os.userInfo().username}@${os.hostname()}, process ${DEAD_PID} (apply, since 2026-01-01T00:00:00.000Z, lock id old-1): that process is no longer running`,
    );
    expect(heldId(store)).toBe(lock.info.id);
    await lock.release();
  });

  it('takes over when the pid now belongs to another process (another start time)', async () => {
    const store = withLock(lockOf({ pid: process.pid, process: { ...me, startTicks: me.startTicks + 1 } }));
    const lock = await store.lock('plan');
    expect(lock.tookOverFrom?.id).toBe('old-1');
    await lock.release();
  });

  it('refuses a holder that still runs (same pid, same start time), naming its pid and host', async () => {
    const store = withLock(lockOf({ pid: process.pid }));
    const err = (await store.lock('plan').catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(LockError);
    expect(err.message).toBe(`state is locked by ${os.userInfo().username}@${os.hostname()}, process ${process.pid} (apply, since 2026-01-01T00:00:00.000Z, lock id old-1)`);
    expect(heldId(store)).toBe('old-1');
  });

  it('never takes a lock from another boot or pid namespace sharing the folder, and does not call it dead', async () => {
    const store = withLock(lockOf({ process: { instance: '00000000-0000-4000-8000-000000000000 pid:[1]', startTicks: 1 } }));
    const err = (await store.lock('plan').catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/^state is locked by .+, process \d+ \(apply, since .+, lock id old-1\)$/);
    expect(heldId(store)).toBe('old-1');
  });

  it('a takeover file left by a run killed while taking over stops takeovers; mfile state unlock clears both', async () => {
    const store = withLock(lockOf({}));
    fs.writeFileSync(`${store.path}.lock.takeover`, '{}');
    const err = (await store.lock('plan').catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(LockError);
    expect(err.message).toContain('mfile state unlock old-1');
    expect(heldId(store)).toBe('old-1');
    await forceUnlock(store.path, 'old-1');
    expect(fs.existsSync(`${store.path}.lock.takeover`)).toBe(false);
    const lock = await store.lock('plan');
    expect(lock.tookOverFrom).toBeUndefined();
    await lock.release();
  });
});
