// mfile's entry point: one program, one file per verb, one top-level catch.
import { Command, CommanderError } from 'commander';
import { MFILE_VERSION } from '../version.js';
import { reportError } from './errors-to-exit.js';
import { exitWhenWritten, tolerateClosedReaders } from './exit-when-written.js';
import { exitOnInterrupt } from './interrupt.js';
import { terraformSpellings } from './terraform-flags.js';
import { addNoColorOption, noColorRequested } from './no-color.js';

// Each verb loads only what it needs (validate never loads the Docker, SSH or TLS libraries): start-up time
// is most of a small command's run time.
type VerbLoader = () => Promise<Command[]>;
const VERBS: [string[], VerbLoader][] = [
  [['validate'], async () => [(await import('./verbs/validate.js')).validateCommand()]],
  [['plan'], async () => [(await import('./verbs/plan.js')).planCommand()]],
  [['apply'], async () => [(await import('./verbs/apply.js')).applyCommand()]],
  [['destroy'], async () => [(await import('./verbs/destroy.js')).destroyCommand()]],
  [['show'], async () => [(await import('./verbs/show.js')).showCommand()]],
  [['graph'], async () => [(await import('./verbs/graph.js')).graphCommand()]],
  [['ls', 'env', 'ssh', 'ssh-keys'], async () => (await import('./verbs/machines.js')).machineCommands()],
  [['regenerate-certs'], async () => [(await import('./verbs/regenerate-certs.js')).regenerateCertsCommand()]],
  [['state'], async () => [(await import('./verbs/state.js')).stateCommand()]],
  [['driver'], async () => [(await import('./verbs/driver.js')).driverCommand()]],
  [['schema'], async () => [(await import('./verbs/schema.js')).schemaCommand()]],
  [['start', 'stop', 'restart', 'kill'], async () => (await import('./verbs/power.js')).powerCommands()],
  [['inspect', 'ip', 'url', 'status'], async () => (await import('./verbs/machine-info.js')).machineInfoCommands()],
  [['rm'], async () => [(await import('./verbs/rm.js')).rmCommand()]],
  [['scp'], async () => [(await import('./verbs/scp.js')).scpCommand()]],
  [['import'], async () => [(await import('./verbs/import.js')).importCommand()]],
  [['logs'], async () => [(await import('./verbs/logs.js')).logsCommand()]],
  [['exec'], async () => [(await import('./verbs/exec.js')).execCommand()]],
  [['ps'], async () => [(await import('./verbs/ps.js')).psCommand()]],
  [['top'], async () => [(await import('./verbs/top.js')).topCommand()]],
];

/** Asks for mfile's version only: commander answers it before any verb is looked at. */
const VERSION_FLAGS: ReadonlySet<string> = new Set(['-V', '--version']);

/** The verbs named on the command line, none for `--version`, or all of them (for help and for unknown verbs). */
async function loadVerbs(argv: string[]): Promise<Command[]> {
  const verb = argv[2];
  if (VERSION_FLAGS.has(verb)) return [];
  const one = VERBS.find(([names]) => names.includes(verb));
  const chosen = one ? [one] : VERBS;
  return (await Promise.all(chosen.map(([, load]) => load()))).flat();
}

function program(verbs: Command[]): Command {
  const p = new Command('mfile')
    .description('Plan and apply Docker hosts and their containers from one machines.yml')
    .version(MFILE_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const cmd of verbs) {
    p.addCommand(cmd);
  }
  // Subcommands throw instead of exiting, so the one catch below decides the exit code.
  const override = (c: Command): void => {
    c.exitOverride();
    c.commands.forEach(override);
  };
  override(p);
  addNoColorOption(p);
  return p;
}

async function main(argv: string[]): Promise<number> {
  if (noColorRequested(argv.slice(2))) process.env.NO_COLOR = '1';
  try {
    await program(await loadVerbs(argv)).parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1;
    return reportError(err);
  }
}

exitOnInterrupt();
tolerateClosedReaders();
await exitWhenWritten(await main(terraformSpellings(process.argv)));
