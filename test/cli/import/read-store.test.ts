// Reading a Docker Machine store: bad input is one line naming the file; nothing is written.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listMachines, readMachine, storeDir } from '../../../src/cli/import/read-store.js';

let store: string;
beforeEach(() => {
  store = mkdtempSync(path.join(tmpdir(), 'mfdm-unit-'));
  mkdirSync(path.join(store, 'machines/a'), { recursive: true });
  mkdirSync(path.join(store, 'certs'));
  for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(path.join(store, 'certs', f), `${f}\n`);
});
afterEach(() => rmSync(store, { recursive: true, force: true }));

const config = (driverName: string, driver: Record<string, unknown>): string => JSON.stringify({ ConfigVersion: 3, Driver: driver, DriverName: driverName, HostOptions: { AuthOptions: {} }, Name: 'a' });

describe('Docker Machine store', () => {
  it('is --store, else MACHINE_STORAGE_PATH, else ~/.docker/machine', () => {
    expect(storeDir('/s', { MACHINE_STORAGE_PATH: '/e' })).toBe('/s');
    expect(storeDir(undefined, { MACHINE_STORAGE_PATH: '/e' })).toBe('/e');
    expect(storeDir(undefined, {})).toMatch(/\/\.docker\/machine$/);
  });

  it('refuses a missing store in one line naming it', async () => {
    await expect(listMachines(path.join(store, 'nope'), [])).rejects.toThrow(/^.*\/nope: no Docker Machine store here \(ENOENT\)/);
  });

  it('refuses a broken config.json naming the file', async () => {
    writeFileSync(path.join(store, 'machines/a/config.json'), '{"Driver": ');
    await expect(readMachine(store, 'a')).rejects.toThrow(new RegExp(`^${path.join(store, 'machines/a/config.json')}: not valid JSON`));
    writeFileSync(path.join(store, 'machines/a/config.json'), '{"x": 1}');
    await expect(readMachine(store, 'a')).rejects.toThrow(/config\.json: not a Docker Machine config\.json/);
  });

  it('takes the client certificate from STORE/certs when the machine folder has none', async () => {
    writeFileSync(path.join(store, 'machines/a/config.json'), config('none', { URL: 'tcp://10.0.0.9:2376' }));
    const m = await readMachine(store, 'a');
    expect(m).toMatchObject({ driverName: 'none', url: 'tcp://10.0.0.9:2376', tls: { ca: 'ca.pem\n', cert: 'cert.pem\n', key: 'key.pem\n' } });
  });

  it('gives a generic machine its SSH address and the engine on its EnginePort', async () => {
    writeFileSync(path.join(store, 'machines/a/config.json'), config('generic', { IPAddress: '10.0.0.7', SSHUser: 'u', SSHPort: 2222, SSHKeyPath: '/k', EnginePort: 2377 }));
    writeFileSync(path.join(store, 'machines/a/ca.pem'), 'own ca\n');
    const m = await readMachine(store, 'a');
    expect(m.url).toBe('tcp://10.0.0.7:2377');
    expect(m.ssh).toEqual({ host: '10.0.0.7', port: 2222, user: 'u', keyFile: '/k' });
    expect(m.tls?.ca).toBe('own ca\n');
  });
});

describe('mapping to mfile', () => {
  it('refuses a machine with no engine address in one line naming its config.json', async () => {
    const { toMfile } = await import('../../../src/cli/import/to-mfile.js');
    writeFileSync(path.join(store, 'machines/a/config.json'), config('virtualbox', { MachineName: 'a' }));
    const m = await readMachine(store, 'a');
    expect(() => toMfile(m, store, '.mfile/machines/a')).toThrow(
      `${path.join(store, 'machines/a/config.json')}: driver virtualbox: no engine address of the form tcp://HOST:PORT to import: it records neither URL nor IPAddress (a machine never started?)`,
    );
  });
});
