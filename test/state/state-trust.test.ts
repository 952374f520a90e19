// A state file is input like machines.yml: names in it are checked before they become paths or engine names,
// and a lost state beside its backup is not silently replaced by a new lineage.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateError } from '../../src/errors.js';
import { MACHINE_NAME_RE, OBJECT_NAME_RE } from '../../src/model/names.js';
import { StateStore } from '../../src/state/index.js';
import { MFILE_VERSION } from '../../src/version.js';
import { tmpDir } from './helpers/tmp.js';

const storeIn = (dir: string): StateStore => new StateStore(path.join(dir, '.mfile', 'state.json'));

const machine = (name: string) => ({ name, driver: 'sandbox', status: 'created', driverOptions: {}, driverData: {}, updatedAt: 't' });
const object = (address: string, kind: string, name: string, m: string) => ({
  address, kind, machine: m, name, status: 'created', attributes: {}, updatedAt: 't',
});

function writeState(store: StateStore, machines: object, objects: object = {}): void {
  fs.mkdirSync(path.dirname(store.path), { recursive: true });
  fs.writeFileSync(store.path, JSON.stringify({ version: 1, mfile_version: MFILE_VERSION, lineage: 'l', serial: 2, machines, objects }));
}

describe('names in the state file', () => {
  it('follow the very rules of schema/machines.schema.json', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '../../schema/machines.schema.json'), 'utf8'));
    expect(MACHINE_NAME_RE.source).toBe(schema.$defs.machineName.pattern);
    expect(OBJECT_NAME_RE.source).toBe(schema.$defs.objectName.pattern);
  });

  it.each([
    ['a machine key that climbs out of .mfile', { '../../victim': machine('../../victim') }, {}, 'machines["../../victim"]: a machine name must be'],
    ['an absolute machine key', { '/etc': machine('/etc') }, {}, 'machines["/etc"]: a machine name must be'],
    ['a record whose name differs from its key', { web: machine('../x') }, {}, 'machines["web"].name: expected "web"'],
    ['an object on a machine named as a path', {}, { 'container.web[../m]': object('container.web[../m]', 'container', 'web', '../m') },
      'objects["container.web[../m]"]: a machine name must be'],
    ['an object name with a slash', {}, { 'volume.a/../b[m]': object('volume.a/../b[m]', 'volume', 'a/../b', 'm') },
      'objects["volume.a/../b[m]"]: an object name must be'],
    ['an image that is not a reference', {}, { 'image.../x[m]': object('image.../x[m]', 'image', '../x', 'm') },
      'objects["image.../x[m]"]: not a valid image reference'],
    ['a stand-in image name that is not one', {}, { 'image.(sensitive)#../x[m]': object('image.(sensitive)#../x[m]', 'image', '(sensitive)#../x', 'm') },
      'objects["image.(sensitive)#../x[m]"]: not a valid image reference'],
    ['a record that names another machine than its address', {}, { 'network.n[m]': object('network.n[m]', 'network', 'n', 'other') },
      'objects["network.n[m]"].machine: expected "m"'],
  ])('refuses %s, naming the file and the key on one line', async (_what, machines, objects, message) => {
    const store = storeIn(tmpDir());
    writeState(store, machines, objects);
    const err = await store.read().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(StateError);
    const text = (err as Error).message;
    expect(text).toContain(`state file ${store.path} is not a valid mfile state (${message}`);
    expect(text).not.toContain('\n');
  });

  it('reads names that follow the rules, image references included', async () => {
    const store = storeIn(tmpDir());
    writeState(store, { 'web-1': machine('web-1') }, {
      'container.web[web-1]': object('container.web[web-1]', 'container', 'web', 'web-1'),
      'image.registry.example.com:5000/team/app:1.2[web-1]': object('image.registry.example.com:5000/team/app:1.2[web-1]', 'image', 'registry.example.com:5000/team/app:1.2', 'web-1'),
      'container.web[web-1]#ffff00001111': object('container.web[web-1]#ffff00001111', 'container', 'web', 'web-1'),
      // The stand-in name of an image whose reference holds a sensitive value.
      'image.(sensitive)#0123456789ab[web-1]': object('image.(sensitive)#0123456789ab[web-1]', 'image', '(sensitive)#0123456789ab', 'web-1'),
    });
    expect(Object.keys((await store.read()).objects)).toHaveLength(4);
  });
});

describe('a state file lost beside its backup', () => {
  it('is refused with the backup named and the command that restores it, and nothing is written', async () => {
    const dir = tmpDir();
    const first = storeIn(dir);
    let s = await first.write(await first.read());
    s = await storeIn(dir).write({ ...s, machines: { a: machine('a') } as never }); // leaves state.json.backup
    fs.rmSync(first.path);
    const store = storeIn(dir);
    const err = await store.read().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(StateError);
    expect((err as Error).message).toBe(
      `state file ${store.path} is missing but its backup ${store.backupPath} exists; refusing to start a new state. ` +
        `Restore it with: cp -p ${store.backupPath} ${store.path} (or remove the backup to start afresh)`,
    );
    expect(fs.existsSync(store.path)).toBe(false);
    fs.copyFileSync(store.backupPath, store.path);
    expect((await storeIn(dir).read()).lineage).toBe(s.lineage);
  });
});
