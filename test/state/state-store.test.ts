import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateError } from '../../src/errors.js';
import type { State } from '../../src/model/state.js';
import { StateStore } from '../../src/state/index.js';
import { MFILE_VERSION } from '../../src/version.js';
import { tmpDir } from './helpers/tmp.js';

const storeIn = (dir: string): StateStore => new StateStore(path.join(dir, '.mfile', 'state.json'));

function withMachine(s: State, name: string): State {
  return {
    ...s,
    machines: {
      ...s.machines,
      [name]: { name, driver: 'none', status: 'created', driverOptions: {}, driverData: {}, updatedAt: 't' },
    },
  };
}

describe('StateStore.read', () => {
  it('gives a fresh state when there is no file, and writes nothing', async () => {
    const store = storeIn(tmpDir());
    const s = await store.read();
    expect(s).toMatchObject({ version: 1, mfile_version: MFILE_VERSION, serial: 0, machines: {}, objects: {} });
    expect(s.lineage).toMatch(/^[0-9a-f-]{36}$/);
    expect(fs.existsSync(store.path)).toBe(false);
  });

  it('refuses a file that is not JSON, and leaves it untouched', async () => {
    const store = storeIn(tmpDir());
    fs.mkdirSync(path.dirname(store.path));
    fs.writeFileSync(store.path, '{"version": 1, "serial": ');
    await expect(store.read()).rejects.toThrow(StateError);
    await expect(store.read()).rejects.toThrow(
      new RegExp(`^state file ${store.path} is not valid JSON \\(.+\\); refusing to use or overwrite it; restore ${store.path}\\.backup or fix it$`),
    );
    const s: State = { version: 1, mfile_version: MFILE_VERSION, lineage: 'l', serial: 0, machines: {}, objects: {} };
    await expect(store.write(s)).rejects.toThrow(/is not valid JSON/);
    expect(fs.readFileSync(store.path, 'utf8')).toBe('{"version": 1, "serial": ');
    expect(fs.existsSync(store.backupPath)).toBe(false);
  });

  it('refuses a state written by a newer format or a newer mfile', async () => {
    const store = storeIn(tmpDir());
    fs.mkdirSync(path.dirname(store.path));
    const newer = JSON.stringify({ version: 2, mfile_version: '9.9.9', lineage: 'l', serial: 4, hosts: [] });
    fs.writeFileSync(store.path, newer);
    await expect(store.read()).rejects.toThrow(
      `state file ${store.path} was written by mfile 9.9.9 (format 2), newer than this mfile ${MFILE_VERSION}; upgrade mfile`,
    );
    fs.writeFileSync(store.path, JSON.stringify({ version: 1, mfile_version: '0.10.0', lineage: 'l', serial: 1, machines: {}, objects: {} }));
    await expect(store.read()).rejects.toThrow(/was written by mfile 0\.10\.0 \(format 1\), newer than this mfile/);
    await expect(store.write(await storeIn(tmpDir()).read())).rejects.toThrow(StateError);
    expect(JSON.parse(fs.readFileSync(store.path, 'utf8')).mfile_version).toBe('0.10.0');
  });

  it('refuses JSON that is not a state', async () => {
    const store = storeIn(tmpDir());
    fs.mkdirSync(path.dirname(store.path));
    fs.writeFileSync(store.path, JSON.stringify({ version: 1, mfile_version: '0.1.0', serial: -1, machines: [] }));
    await expect(store.read()).rejects.toThrow(/is not a valid mfile state \(lineage .*; serial .*; machines .*; objects .*\); refusing/);
  });
});

describe('StateStore.write', () => {
  it('raises the serial on every write, keeps the lineage, and reads back what it wrote', async () => {
    const dir = tmpDir();
    const store = storeIn(dir);
    const s0 = await store.read();
    const s1 = await store.write(withMachine(s0, 'a'));
    const s2 = await store.write(withMachine(s1, 'b'));
    expect([s1.serial, s2.serial]).toEqual([1, 2]);
    expect(s2.lineage).toBe(s0.lineage);
    const again = await storeIn(dir).read();
    expect(again).toEqual(s2);
    expect(Object.keys(again.machines)).toEqual(['a', 'b']);
    expect(fs.statSync(store.path).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(store.path)).mode & 0o777).toBe(0o700);
  });

  it('backs up the file as it was before this run, once per store', async () => {
    const dir = tmpDir();
    const first = storeIn(dir);
    await first.write(withMachine(await first.read(), 'a')); // serial 1, no previous file: no backup
    expect(fs.existsSync(first.backupPath)).toBe(false);
    const before = fs.readFileSync(first.path, 'utf8');

    const run = storeIn(dir);
    let s = await run.read();
    s = await run.write(withMachine(s, 'b'));
    s = await run.write(withMachine(s, 'c'));
    expect(fs.readFileSync(run.backupPath, 'utf8')).toBe(before);
    expect(JSON.parse(fs.readFileSync(run.backupPath, 'utf8')).serial).toBe(1);
    expect(JSON.parse(fs.readFileSync(run.path, 'utf8')).serial).toBe(3);
    expect(fs.statSync(run.backupPath).mode & 0o777).toBe(0o600);
  });

  it('serialises concurrent writes: distinct rising serials, the last call wins', async () => {
    const dir = tmpDir();
    const store = storeIn(dir);
    const base = await store.read();
    const written = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.write(withMachine(base, `m${i}`))),
    );
    expect(written.map((w) => w.serial)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const onDisk = await storeIn(dir).read();
    expect(onDisk.serial).toBe(20);
    expect(Object.keys(onDisk.machines)).toEqual(['m19']);
    expect(fs.readdirSync(path.dirname(store.path))).toEqual(['state.json']);
  });

  it('writes what the state was when write() was called, not later mutations', async () => {
    const dir = tmpDir();
    const store = storeIn(dir);
    const s = await store.read();
    const pending = store.write(withMachine(s, 'a'));
    const mutable = withMachine(s, 'b');
    const second = store.write(mutable);
    mutable.machines.b!.status = 'tainted';
    await pending;
    await second;
    expect((await storeIn(dir).read()).machines.b!.status).toBe('created');
  });

  it('refuses to write a state of another lineage over the file', async () => {
    const dir = tmpDir();
    const store = storeIn(dir);
    await store.write(await store.read());
    const other = storeIn(tmpDir());
    const foreign = await other.read();
    await expect(storeIn(dir).write(foreign)).rejects.toThrow(/refusing to write state with lineage .* whose lineage is/);
  });
});
