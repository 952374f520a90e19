// What most verbs share: where the config and state are, and loading them.
import path from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../config/index.js';
import { useCompiledSchemaCache } from '../config/schema-file.js';
import { builtinCatalog } from '../drivers/catalog.js';
import { statePathFor } from '../state/index.js';
import type { Desired } from '../model/index.js';
import { terminalText } from '../terminal-text.js';
import { maskText, registerSensitive, sensitiveMasker } from '../masking.js';
import { collectList, collectVar } from './options.js';
import { collectVariables } from './var-sources.js';
import { loadPluginsFor } from './plugin-catalog.js';
import { compiledSchemaCache } from './schema-cache.js';

export interface ConfigOptions {
  file: string;
  var: Record<string, string>;
  /** --var-file FILE: NAME=value lines. */
  varFile?: string[];
  /** --var-stdin NAME: the value is standard input. */
  varStdin?: string;
  state?: string;
}

/** `fileShort: false` leaves -f to the verb (logs -f follows, as in Compose); --file still names the machines file. */
export function addConfigOptions(cmd: Command, { fileShort = true }: { fileShort?: boolean } = {}): Command {
  return cmd
    .option(fileShort ? '-f, --file <FILE>' : '--file <FILE>', 'machines file', 'machines.yml')
    .option('--var <NAME=VALUE>', 'set a variable (repeatable; visible in ps: use --var-file or --var-stdin for secrets)', collectVar, {})
    .option('--var-file <FILE>', 'set variables from a file of NAME=value lines, .env style (repeatable)', collectList, [])
    .option('--var-stdin <NAME>', 'set variable NAME to what standard input holds')
    .option('--state <PATH>', 'state file (default: .mfile/state.json beside the config)');
}

let schemaCacheSet = false;

/** Loads machines.yml; its sensitive values join the process-wide masker every output passes through. */
export async function loadDesired(opts: ConfigOptions, load: { checkOnly?: boolean } = {}): Promise<Desired> {
  if (!schemaCacheSet) {
    useCompiledSchemaCache(compiledSchemaCache());
    schemaCacheSet = true;
  }
  // Plugins for drivers that are not built in join the catalog before the config is checked against their blocks.
  const catalog = builtinCatalog();
  for (const p of await loadPluginsFor(opts.file)) catalog.set(p.traits.name, p.traits);
  const desired = await loadConfig({ file: opts.file, vars: await collectVariables(opts), env: process.env, checkOnly: load.checkOnly }, catalog);
  registerSensitive({ values: desired.sensitiveValues, numbers: desired.sensitiveNumbers });
  return desired;
}

export function resolveStatePath(opts: ConfigOptions): string {
  return statePathFor(path.resolve(opts.file), opts.state);
}

/** Writes a line to stdout (results) — progress and diagnostics go to stderr. Control characters are escaped. */
export function out(line: string): void {
  process.stdout.write(terminalText(maskText(line)) + '\n');
}

/** Writes text a renderer made terminal-safe itself (the plan text, which may hold its own colours). */
export function outRendered(text: string): void {
  process.stdout.write(maskText(text) + '\n');
}

/**
 * outRendered for a renderer that gives its text in chunks of whole lines: each is written as it comes, so a
 * large plan is never held whole. Masked chunk by chunk, which masks the same as the whole text unless a
 * sensitive value spans lines: then the chunks are joined first.
 */
export function outRenderedChunks(render: (emit: (chunk: string) => void) => void): void {
  if (sensitiveMasker().spansLines) {
    const parts: string[] = [];
    render((chunk) => parts.push(chunk));
    return outRendered(parts.join(''));
  }
  render((chunk) => process.stdout.write(maskText(chunk)));
  process.stdout.write('\n');
}

export function warn(line: string): void {
  process.stderr.write(`Warning: ${terminalText(maskText(line))}\n`);
}
