// `mfile ls` says which machines keep Docker Machine's CA (imported) rather than the project's.
import { expect, it } from 'vitest';
import { listMachines, renderMachineTable } from '../../../src/remote/provision/list-machines.js';
import { freshState } from '../../../src/state/index.js';

it('marks an imported machine beside its driver and in --json', async () => {
  const state = freshState();
  const base = { status: 'created' as const, driverOptions: {}, engineUrl: 'tcp://h:2376', updatedAt: 't' };
  state.machines.dm1 = { ...base, name: 'dm1', driver: 'none', driverData: { importedFrom: '/s' } };
  state.machines.own = { ...base, name: 'own', driver: 'none', driverData: {} };
  const rows = await listMachines(state);
  expect(rows.map((r) => r.importedFrom)).toEqual(['/s', undefined]);
  const text = renderMachineTable(rows);
  expect(text).toMatch(/^dm1\s+none \(Docker Machine CA\)\s+created/m);
  expect(text).toMatch(/^own\s+none\s+created/m);
});
