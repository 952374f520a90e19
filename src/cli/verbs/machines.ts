// Verbs about single machines: ls, env, ssh. Filled in as the host drivers land.
import { Command } from 'commander';
import { UsageError } from '../../errors.js';

export function machineCommands(): Command[] {
  const notYet = (verb: string) => (): never => {
    throw new UsageError(`mfile ${verb} is not available yet in this version: it needs the SSH host drivers`);
  };
  return [
    new Command('ls').description('list machines: NAME DRIVER STATE URL DOCKER ERROR').option('--json').action(notYet('ls')),
    new Command('env').description('print exports that point the docker CLI at a machine').argument('<NAME>').action(notYet('env')),
    new Command('ssh').description('open a shell or run a command on a machine').argument('<NAME>').argument('[COMMAND...]').action(notYet('ssh')),
  ];
}
