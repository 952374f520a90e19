// `mfile import docker-machine [--store DIR] [NAME...]`: Docker Machine's machines into machines.yml and the
// state, so the next plan shows no change for them. The store is only read.
import path from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { ensureMachineDir } from '../../remote/tls/store.js';
import { writePrivateFile } from '../../fs-safety/private-file.js';
import { StateStore } from '../../state/index.js';
import type { MachineRecord } from '../../model/index.js';
import { addConfigOptions, out, resolveStatePath, warn, type ConfigOptions } from '../common.js';
import { addMachines } from '../import/edit-machines-yml.js';
import { listMachines, readMachine, storeDir } from '../import/read-store.js';
import { toMfile, type ImportedMachine } from '../import/to-mfile.js';
import { noneTraits } from '../../drivers/none/traits.js';
import { importObject } from './import-object.js';

/** What `mfile env`, `ls` and the state name as the source of an imported machine's certificates. */
export const IMPORTED_FROM = 'importedFrom';

async function writeTls(stateDir: string, name: string, tls: ImportedMachine['tls']): Promise<void> {
  const dir = await ensureMachineDir(stateDir, name);
  await writePrivateFile(path.join(dir, 'key.pem'), tls.key, { mode: 0o600 });
  await writePrivateFile(path.join(dir, 'cert.pem'), tls.cert, { mode: 0o644 });
  await writePrivateFile(path.join(dir, 'ca.pem'), tls.ca, { mode: 0o644 });
}

function record(name: string, url: string, store: string): MachineRecord {
  return {
    name,
    driver: noneTraits.name,
    status: 'created',
    driverOptions: { url },
    driverData: { [IMPORTED_FROM]: store },
    engineUrl: url,
    updatedAt: new Date().toISOString(),
  };
}

async function importDockerMachine(names: string[], opts: ConfigOptions & { store?: string }): Promise<void> {
  const store = storeDir(opts.store, process.env);
  const configFile = path.resolve(opts.file);
  const statePath = resolveStatePath(opts);
  const stateDir = path.dirname(statePath);
  const chosen = await listMachines(store, names);
  const found = await Promise.all(chosen.map((n) => readMachine(store, n)));
  const tlsDir = (n: string): string => path.relative(path.dirname(configFile), path.join(stateDir, 'machines', n)) || '.';
  const imported = found.map((m) => toMfile(m, store, tlsDir(m.name)));

  const states = new StateStore(statePath);
  const lock = await states.lock('import', { notice: warn });
  try {
    const state = await states.read();
    for (const m of imported) {
      if (state.machines[m.yaml.name]) throw new UsageError(`${statePath}: machine ${m.yaml.name} is already in the state; nothing imported`);
    }
    // Everything checked before anything is written: a refused import leaves machines.yml and the state alone.
    const text = await addMachines(configFile, imported.map((m) => m.yaml));
    for (const m of imported) await writeTls(stateDir, m.yaml.name, m.tls);
    for (const m of imported) state.machines[m.yaml.name] = record(m.yaml.name, m.url, store);
    await states.write(state);
    // machines.yml is the user's file: replaced atomically with its mode kept (0644 when new).
    await writePrivateFile(configFile, text, { mode: await modeOf(configFile) });
  } finally {
    await lock.release();
  }
  for (const m of imported) out(`Imported ${m.note}`);
}

async function modeOf(file: string): Promise<number> {
  const { stat } = await import('node:fs/promises');
  try {
    return (await stat(file)).mode & 0o777;
  } catch {
    return 0o644;
  }
}

export function importCommand(): Command {
  const imp = new Command('import').description(
    'adopt an existing container, network or volume into the state (mfile import ADDR ID), or bring machines made by other tools under mfile',
  );
  // The default subcommand takes ADDR ID, so `import` itself has no options to take a subcommand's -f away.
  imp.addCommand(
    addConfigOptions(new Command('object'))
      .description('adopt an existing container, network or volume into the state under an address of machines.yml (Terraform\'s import)')
      .argument('<ADDR>', 'the address in machines.yml, e.g. container.web[m1]')
      .argument('<ID>', 'the engine id or name of the container or network, or the name of the volume')
      .action((address: string, id: string, opts: ConfigOptions) => importObject(address, id, opts)),
    { isDefault: true },
  );
  imp.addCommand(
    addConfigOptions(new Command('docker-machine'))
      .description("import Docker Machine's machines into machines.yml and the state (the store is only read)")
      .option('--store <DIR>', 'Docker Machine store (default: $MACHINE_STORAGE_PATH or ~/.docker/machine)')
      .argument('[NAME...]', 'machines to import (default: all)')
      .action((names: string[], opts: ConfigOptions & { store?: string }) => importDockerMachine(names, opts)),
  );
  return imp;
}
