// What most verbs share: where the config and state are, and loading them.
import path from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../config/index.js';
import { statePathFor } from '../state/index.js';
import type { Desired } from '../model/index.js';
import { terminalText } from '../terminal-text.js';
import { collectVar } from './options.js';

export interface ConfigOptions {
  file: string;
  var: Record<string, string>;
  state?: string;
}

export function addConfigOptions(cmd: Command): Command {
  return cmd
    .option('-f, --file <FILE>', 'machines file', 'machines.yml')
    .option('--var <NAME=VALUE>', 'set a variable (repeatable)', collectVar, {})
    .option('--state <PATH>', 'state file (default: .mfile/state.json beside the config)');
}

export async function loadDesired(opts: ConfigOptions): Promise<Desired> {
  return loadConfig({ file: opts.file, vars: opts.var, env: process.env });
}

export function resolveStatePath(opts: ConfigOptions): string {
  return statePathFor(path.resolve(opts.file), opts.state);
}

/** Writes a line to stdout (results) — progress and diagnostics go to stderr. Control characters are escaped. */
export function out(line: string): void {
  process.stdout.write(terminalText(line) + '\n');
}

/** Writes text a renderer made terminal-safe itself (the plan text, which may hold its own colours). */
export function outRendered(text: string): void {
  process.stdout.write(text + '\n');
}

export function warn(line: string): void {
  process.stderr.write(`Warning: ${terminalText(line)}\n`);
}
