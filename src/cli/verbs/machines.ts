// Verbs about single machines: ls, env, ssh, ssh-keys forget.
import { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { StateStore } from '../../state/index.js';
import { UsageError } from '../../errors.js';
import { driverFor } from '../../drivers/registry.js';
import { listMachines, renderMachineTable } from '../../remote/provision/list-machines.js';
import { envExports, type EnvShell } from '../../remote/tls/env-exports.js';
import { certDir, machineDir } from '../../remote/tls/store.js';
import { sshArgv, forgetHostKey } from '../../remote/ssh/ssh-helpers.js';
import type { MachineRecord, State } from '../../model/index.js';
import { addConfigOptions, loadDesired, out, resolveStatePath, warn, type ConfigOptions } from '../common.js';
import { connect } from '../connect.js';

async function readState(opts: ConfigOptions): Promise<{ state: State; statePath: string }> {
  const statePath = resolveStatePath(opts);
  return { state: await new StateStore(statePath).read(), statePath };
}

function recordOf(state: State, name: string): MachineRecord {
  const r = state.machines[name];
  if (!r) {
    const known = Object.keys(state.machines).sort();
    throw new UsageError(`no machine named ${name} in the state${known.length ? ` (known: ${known.join(', ')})` : ': run mfile apply first'}`);
  }
  return r;
}

function lsCommand(): Command {
  return addConfigOptions(new Command('ls'))
    .description('list machines: NAME DRIVER STATE URL DOCKER ERROR')
    .option('--json', 'print the list as JSON')
    .action(async (opts: ConfigOptions & { json?: boolean }) => {
      const desired = await loadDesired(opts);
      const { state, statePath } = await readState(opts);
      const conns = connect(desired, { current: state }, statePath);
      const ctx = { stateDir: path.dirname(statePath), project: desired.project };
      try {
        const rows = await listMachines(state, async (r) =>
          driverFor(conns.spec(r.name).driver).status({ machine: conns.spec(r.name), driverData: r.driverData, ctx }),
        );
        out(opts.json ? JSON.stringify(rows, null, 2) : renderMachineTable(rows).trimEnd());
      } finally {
        await conns.closeAll();
      }
    });
}

function envCommand(): Command {
  return addConfigOptions(new Command('env'))
    .description('print shell exports that point the docker CLI at a machine: eval "$(mfile env NAME)"')
    .argument('<NAME>', 'machine name')
    .option('--shell <SHELL>', 'bash, zsh or fish', 'bash')
    .action(async (name: string, opts: ConfigOptions & { shell: string }) => {
      if (!['bash', 'zsh', 'fish'].includes(opts.shell)) throw new UsageError(`--shell must be bash, zsh or fish, not ${opts.shell}`);
      const { state, statePath } = await readState(opts);
      const record = recordOf(state, name);
      // A machine imported from Docker Machine keeps its CA: its client files are in .mfile/machines/NAME.
      const dir = record.driverData.importedFrom ? machineDir(path.dirname(statePath), name) : certDir(path.dirname(statePath));
      process.stdout.write(envExports(record, opts.shell as EnvShell, dir));
    });
}

function sshCommand(): Command {
  return addConfigOptions(new Command('ssh'))
    .description('open a shell on a machine, or run a command: mfile ssh NAME -- CMD...')
    .argument('<NAME>', 'machine name')
    .argument('[COMMAND...]', 'command to run instead of a shell')
    .action(async (name: string, command: string[], opts: ConfigOptions) => {
      const { state, statePath } = await readState(opts);
      const [bin, ...args] = sshArgv(recordOf(state, name), path.dirname(statePath), command);
      const r = spawnSync(bin, args, { stdio: 'inherit' });
      if (r.error) throw new UsageError(`cannot run ${bin}: ${r.error.message} (install openssh-client)`);
      process.exitCode = r.status ?? 1;
    });
}

function sshKeysCommand(): Command {
  const keys = new Command('ssh-keys').description('manage pinned SSH host keys');
  keys.addCommand(
    addConfigOptions(new Command('forget'))
      .description("forget a machine's pinned host key; the next apply pins the key it offers")
      .argument('<NAME>', 'machine name')
      .action(async (name: string, opts: ConfigOptions) => {
        const statePath = resolveStatePath(opts);
        const store = new StateStore(statePath);
        const lock = await store.lock('ssh-keys forget', { notice: warn });
        try {
          const state = await store.read();
          recordOf(state, name);
          await store.write(await forgetHostKey(state, path.dirname(statePath), name));
          out(`Forgot the host key of ${name}; the next mfile apply pins the key it offers.`);
        } finally {
          await lock.release();
        }
      }),
  );
  return keys;
}

export function machineCommands(): Command[] {
  return [lsCommand(), envCommand(), sshCommand(), sshKeysCommand()];
}
