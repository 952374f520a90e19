// `--no-color` on every verb, as NO_COLOR=1: set in the environment before any verb (and so any colour library)
// is loaded, so the plan text, listr2's view and child processes all see it.
import type { Command } from 'commander';

/** True when --no-color is given among mfile's own arguments (not after `--`, where a remote command's are). */
export function noColorRequested(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--no-color');
}

/** Declares the flag on a command and every command below it, so each verb accepts it and lists it in --help. */
export function addNoColorOption(cmd: Command): void {
  cmd.option('--no-color', 'print no colours (as NO_COLOR=1 does)');
  cmd.commands.forEach(addNoColorOption);
}
