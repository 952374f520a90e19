// Variable values from places other than the command line, which every local user can read in `ps`:
// --var-file FILE (.env style: NAME=value lines) and --var-stdin NAME (the whole of standard input).
import { readFile } from 'node:fs/promises';
import { parseEnvFile } from '../config/env-file.js';
import { UsageError } from '../errors.js';

export interface VarSourceOptions {
  var: Record<string, string>;
  varFile?: string[];
  varStdin?: string;
}

/** A --var-file's variables; a line that is not `NAME=value` is refused with its file and line. */
export async function readVarFile(file: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`--var-file ${file}: ${code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : 'cannot be read'}`);
  }
  const parsed = parseEnvFile(text);
  // The line number only: the line may hold a value meant to be secret.
  if (parsed.bad.length > 0) throw new UsageError(`${file}:${parsed.bad[0]}:1: expected NAME=value (a --var-file holds one variable per line)`);
  return parsed.vars;
}

/** Standard input as one value: one trailing line break (from `echo` or a file) is dropped. */
export async function readStdinValue(name: string, input: NodeJS.ReadableStream = process.stdin): Promise<string> {
  if ((input as { isTTY?: boolean }).isTTY) throw new UsageError(`--var-stdin ${name}: standard input is a terminal; pipe the value in (e.g. mfile plan --var-stdin ${name} < FILE)`);
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Every variable the options give: --var-file first, then --var, then --var-stdin (later ones win). */
export async function collectVariables(opts: VarSourceOptions): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const file of opts.varFile ?? []) Object.assign(out, await readVarFile(file));
  Object.assign(out, opts.var);
  if (opts.varStdin !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(opts.varStdin)) throw new UsageError(`--var-stdin takes a variable name, not "${opts.varStdin}"`);
    out[opts.varStdin] = await readStdinValue(opts.varStdin);
  }
  return out;
}
