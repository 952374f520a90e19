import { Command } from 'commander';
import { forceUnlock } from '../../state/index.js';
import { addConfigOptions, out, resolveStatePath, type ConfigOptions } from '../common.js';
import { stateRecordCommands } from './state-records.js';

export function stateCommand(): Command {
  const state = new Command('state').description('operate on the state file');
  state.addCommand(
    addConfigOptions(new Command('unlock'))
      .description('remove a stale state lock left by an mfile that died')
      .argument('<LOCK_ID>', 'the lock id named in the lock error')
      .action(async (lockId: string, opts: ConfigOptions) => {
        await forceUnlock(resolveStatePath(opts), lockId);
        out(`Lock ${lockId} removed.`);
      }),
  );
  for (const c of stateRecordCommands()) state.addCommand(c);
  return state;
}
