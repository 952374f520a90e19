// Imported machines join machines.yml without disturbing what is there.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { parse } from 'yaml';
import { addMachines } from '../../../src/cli/import/edit-machines-yml.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'mfdm-yml-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const dm1 = { name: 'dm1', block: { driver: 'none', none: { url: 'tcp://h:2376' } }, comment: 'imported from Docker Machine store /s' };

it('keeps existing comments and machines and puts the import comment above the new machine', async () => {
  const file = path.join(dir, 'machines.yml');
  writeFileSync(file, '# top\nversion: 1\nmachines:\n  # the web\n  web:\n    driver: local # here\n');
  const text = await addMachines(file, [dm1]);
  expect(text).toBe('# top\nversion: 1\nmachines:\n  # the web\n  web:\n    driver: local # here\n  # imported from Docker Machine store /s\n  dm1:\n    driver: none\n    none:\n      url: tcp://h:2376\n');
});

it('starts a missing machines.yml and writes an empty flow `machines: {}` as a block', async () => {
  expect(parse(await addMachines(path.join(dir, 'none.yml'), [dm1]))).toEqual({ version: 1, machines: { dm1: dm1.block } });
  const file = path.join(dir, 'machines.yml');
  writeFileSync(file, 'version: 1\nmachines: {}\n');
  expect(await addMachines(file, [dm1])).toContain('\n  dm1:\n    driver: none\n');
});

it('refuses a machine name machines.yml already has', async () => {
  const file = path.join(dir, 'machines.yml');
  writeFileSync(file, 'version: 1\nmachines:\n  dm1: { driver: local }\n');
  await expect(addMachines(file, [dm1])).rejects.toThrow(`${file}: machine dm1 is already there`);
});
