// mfile's entry point: one program, one file per verb, one top-level catch.
import { Command, CommanderError } from 'commander';
import { MFILE_VERSION } from '../version.js';
import { reportError } from './errors-to-exit.js';
import { validateCommand } from './verbs/validate.js';
import { planCommand } from './verbs/plan.js';
import { applyCommand } from './verbs/apply.js';
import { destroyCommand } from './verbs/destroy.js';
import { showCommand } from './verbs/show.js';
import { stateCommand } from './verbs/state.js';
import { machineCommands } from './verbs/machines.js';
import { regenerateCertsCommand } from './verbs/regenerate-certs.js';

function program(): Command {
  const p = new Command('mfile')
    .description('Plan and apply Docker hosts and their containers from one machines.yml')
    .version(MFILE_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const cmd of [validateCommand(), planCommand(), applyCommand(), destroyCommand(), showCommand(), ...machineCommands(), regenerateCertsCommand(), stateCommand()]) {
    p.addCommand(cmd);
  }
  // Subcommands throw instead of exiting, so the one catch below decides the exit code.
  const override = (c: Command): void => {
    c.exitOverride();
    c.commands.forEach(override);
  };
  override(p);
  return p;
}

async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1;
    return reportError(err);
  }
}

const code = await main(process.argv);
// Let stdout drain before leaving; open handles (sockets) must not keep a finished run alive.
process.exitCode = code;
setImmediate(() => process.exit(code));
