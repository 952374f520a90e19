import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LockError } from '../../src/errors.js';
import { StateStore } from '../../src/state/index.js';
import { tmpDir } from './helpers/tmp.js';

const storeIn = (dir: string): StateStore => new StateStore(path.join(dir, '.mfile', 'state.json'));
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('StateStore.lock', () => {
  it('writes the holder into <state>.lock and refuses a second locker with the exact message', async () => {
    const store = storeIn(tmpDir());
    const lock = await store.lock('apply');
    const onDisk = JSON.parse(fs.readFileSync(`${store.path}.lock`, 'utf8'));
    expect(onDisk).toEqual(lock.info);
    expect(lock.info).toMatchObject({ operation: 'apply', pid: process.pid, who: `${os.userInfo().username}@${os.hostname()}` });
    expect(fs.statSync(`${store.path}.lock`).mode & 0o777).toBe(0o600);

    const err = await store.lock('destroy').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockError);
    expect((err as Error).message).toBe(
      `state is locked by ${lock.info.who}, process ${process.pid} (apply, since ${lock.info.created}, lock id ${lock.info.id})`,
    );
    await lock.release();
    expect(fs.existsSync(`${store.path}.lock`)).toBe(false);
    const again = await store.lock('destroy');
    await again.release();
  });

  it('waits with timeoutMs until the holder releases', async () => {
    const store = storeIn(tmpDir());
    const holder = await store.lock('apply');
    setTimeout(() => void holder.release(), 300);
    const started = Date.now();
    const mine = await store.lock('plan', { timeoutMs: 5000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(mine.info.operation).toBe('plan');
    await mine.release();
  });

  it('gives up at the timeout with the same message', async () => {
    const store = storeIn(tmpDir());
    const holder = await store.lock('apply');
    const started = Date.now();
    await expect(store.lock('plan', { timeoutMs: 400 })).rejects.toThrow(
      new RegExp(`^state is locked by .+, process ${process.pid} \\(apply, since .+, lock id ${holder.info.id}\\)$`),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    await holder.release();
  });

  it('release() leaves a lock that is no longer ours', async () => {
    const store = storeIn(tmpDir());
    const lock = await store.lock('apply');
    const lockPath = `${store.path}.lock`;
    const someoneElse = { ...lock.info, id: 'other-id' };
    fs.writeFileSync(lockPath, JSON.stringify(someoneElse));
    await lock.release();
    expect(JSON.parse(fs.readFileSync(lockPath, 'utf8')).id).toBe('other-id');
  });

  it('reports a lock without process details (an older mfile) left by a dead pid on this host, hints unlock, and does not take it', async () => {
    const store = storeIn(tmpDir());
    fs.mkdirSync(path.dirname(store.path), { recursive: true });
    const deadPid = 2 ** 22 + 12345; // above the default pid_max range on Linux: no such process
    const info = { id: 'dead-1', operation: 'apply', who: `me@${os.hostname()}`, pid: deadPid, created: '2025-01-01T00:00:00.000Z' };
    fs.writeFileSync(`${store.path}.lock`, JSON.stringify(info));
    const err = (await store.lock('apply').catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(LockError);
    expect(err.message).toMatch(
      new RegExp(`^${escape('state is locked by me@' + os.hostname() + ', process ' + deadPid + ' (apply, since 2025-01-01T00:00:00.000Z, lock id dead-1)')}\n`),
    );
    expect(err.message).toContain('mfile state unlock dead-1');
    expect(JSON.parse(fs.readFileSync(`${store.path}.lock`, 'utf8')).id).toBe('dead-1');
  });

  it('does not call a holder on another host dead', async () => {
    const store = storeIn(tmpDir());
    fs.mkdirSync(path.dirname(store.path), { recursive: true });
    const info = { id: 'x', operation: 'apply', who: 'me@some-other-host', pid: 2 ** 22 + 1, created: 't' };
    fs.writeFileSync(`${store.path}.lock`, JSON.stringify(info));
    await expect(store.lock('apply')).rejects.toThrow(/^state is locked by me@some-other-host, process 4194305 \(apply, since t, lock id x\)$/);
  });

  it('says what to do with an empty lock file', async () => {
    const store = storeIn(tmpDir());
    fs.mkdirSync(path.dirname(store.path), { recursive: true });
    fs.writeFileSync(`${store.path}.lock`, '');
    await expect(store.lock('apply')).rejects.toThrow(/cannot be read \(it is empty\); if no mfile is running, delete it/);
  });
});
