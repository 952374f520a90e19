// mfile scp [-r] [NAME:]SRC [NAME:]DST: copy files and folders to or from a machine over its SSH connection,
// with the host key pinned in the state (SFTP; no system scp, no known_hosts of the user's).
import { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { pinnedSession } from '../../drivers/engine-service.js';
import { closeSshPool } from '../../remote/ssh/pool.js';
import { download, upload } from '../../remote/ssh/sftp-copy.js';
import { StateStore } from '../../state/index.js';
import type { Desired, State } from '../../model/index.js';
import { addConfigOptions, loadDesired, resolveStatePath, type ConfigOptions } from '../common.js';
import { machineTarget, requireCreated } from '../machine-target.js';

interface Side {
  machine?: string;
  path: string;
}

/** NAME:PATH names a machine only when NAME is one; anything else is a local path (which may hold a colon). */
function side(arg: string, desired: Desired, state: State): Side {
  const m = /^([^:/]+):(.*)$/.exec(arg);
  if (m && (desired.machines[m[1]] || state.machines[m[1]])) return { machine: m[1], path: m[2] || '.' };
  return { path: arg };
}

export function scpCommand(): Command {
  return addConfigOptions(new Command('scp'))
    .description('copy files to or from a machine: mfile scp [-r] [NAME:]SRC [NAME:]DST')
    .argument('<SRC>', 'source: a local path or NAME:PATH')
    .argument('<DST>', 'destination: a local path or NAME:PATH')
    .option('-r, --recursive', 'copy folders and what they hold')
    .action(async (src: string, dst: string, opts: ConfigOptions & { recursive?: boolean }) => {
      const desired = await loadDesired(opts);
      const statePath = resolveStatePath(opts);
      const state = await new StateStore(statePath).read();
      const from = side(src, desired, state);
      const to = side(dst, desired, state);
      if (from.machine && to.machine) throw new UsageError('copy between two machines is not supported: copy through a local folder');
      const name = from.machine ?? to.machine;
      if (!name) throw new UsageError('neither side names a machine: write NAME:PATH for one of them');
      const t = machineTarget(desired, state, statePath, name);
      if (!t.driver.traits.provisioned) throw new UsageError(`machine ${name} (driver ${t.spec.driver}) has no SSH connection`);
      const record = requireCreated(t);
      if (!record.ssh) throw new UsageError(`machine ${name}: mfile never logged in to it: run mfile apply first`);
      try {
        const session = await pinnedSession(t.request, {
          address: record.ssh,
          hostKeyFingerprint: record.hostKeyFingerprint,
          jumpHostKeyFingerprint: record.jumpHostKeyFingerprint,
        });
        const copy = { machine: name, sftp: await session.sftp(), recursive: opts.recursive === true };
        if (from.machine) await download({ ...copy, source: from.path, destination: to.path });
        else await upload({ ...copy, source: from.path, destination: to.path });
      } finally {
        await closeSshPool();
      }
    });
}
