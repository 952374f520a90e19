// loadConfig: machines.yml -> Desired. Every problem is collected and thrown as one ConfigError.
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { ConfigError, UsageError } from '../errors.js';
import type { Desired } from '../model/desired.js';
import type { DriverCatalog } from '../model/driver-traits.js';
import { withSensitiveDigests } from '../plan/hash.js';
import type { Context, Raw } from './context.js';
import { crossCheck } from './cross-check.js';
import { interpolate } from './interpolate.js';
import { IssueList } from './issues.js';
import { expandReplicas, normalise } from './normalise.js';
import { readYaml } from './read-yaml.js';
import { checkSchema } from './schema-check.js';
import { checkReservedKeys } from './reserved-keys.js';
import { refuseSensitiveAddresses } from './sensitive-address.js';
import { sensitiveDigests, sensitiveNumbers } from './sensitive-digests.js';

export interface LoadOptions {
  /** Path of machines.yml as the user gave it; issues name it this way. */
  file: string;
  /** --var NAME=VALUE */
  vars?: Record<string, string>;
  /** Environment for MFILE_VAR_name, ${env:NAME} and bare environment keys (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** The config folder's name as a project name: lower case, only [a-z0-9_-], starting with a letter or digit. */
export function defaultProject(configPath: string): string {
  const name = basename(dirname(resolve(configPath)))
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 63); // the schema's limit for project
  return name || 'default';
}

/** Larger than any real machines.yml; a 50 MB file took over 10 s to parse. */
export const MAX_CONFIG_BYTES = 10 * 1024 * 1024;

/** The file's bytes, reading at most MAX_CONFIG_BYTES + 1 (so /dev/zero or a huge file ends at once). */
async function readBytes(file: string, abs: string): Promise<Buffer> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(abs, 'r');
    const chunks: Buffer[] = [];
    let n = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(1 << 20);
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      n += bytesRead;
      if (n > MAX_CONFIG_BYTES) {
        throw new ConfigError([{ file, line: 1, col: 1, message: `file is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB: not a machines.yml` }]);
      }
    }
    return Buffer.concat(chunks, n);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`config file not found: ${file} (choose one with -f FILE)`);
    if (code === 'EISDIR') throw new UsageError(`config file is a directory: ${file}`);
    throw new UsageError(`cannot read config file ${file}: ${(err as Error).message}`);
  } finally {
    await fh?.close();
  }
}

/** `drivers`: every driver this run knows (the CLI passes the built-in catalog plus plugins). */
export async function loadConfig(opts: LoadOptions, drivers: DriverCatalog): Promise<Desired> {
  const configPath = resolve(opts.file);
  const env = opts.env ?? process.env;
  const bytes = await readBytes(opts.file, configPath);
  const issues = new IssueList();

  const src = readYaml(opts.file, bytes, issues);
  if (!src) throw issues.error();
  const interp = interpolate(src, { vars: opts.vars ?? {}, env }, issues);
  checkReservedKeys(src, issues);
  issues.maskValues(interp.sensitiveValues);
  let data: Raw;
  try {
    data = src.doc.toJS() as Raw;
  } catch (err) {
    issues.add({ file: opts.file, line: 1, col: 1, message: `YAML error: ${(err as Error).message}` });
    throw issues.error();
  }
  const valid = checkSchema(data, src.locator, issues, interp, drivers);
  if (!valid && !issues.size) issues.add({ file: opts.file, line: 1, col: 1, message: 'does not match the machines.yml schema' });
  // A schema error leaves data of unknown shape, so stop there; an undefined variable alone does not, and the
  // cross-field checks below still run so that every problem is reported at once.
  if (!valid) issues.throwIfAny();

  const ctx: Context = {
    locator: src.locator,
    issues,
    configDir: dirname(configPath),
    env,
    drivers,
    project: typeof data.project === 'string' ? data.project : defaultProject(configPath),
    sensitive: interp.sensitiveValues,
  };
  refuseSensitiveAddresses(ctx, data);
  const n = normalise(ctx, data);
  crossCheck(ctx, data, n);
  const containers = expandReplicas(ctx, n.written);
  issues.throwIfAny();

  const digests = await sensitiveDigests(interp.sensitiveValues, ctx.project);
  const digest = createHash('sha256').update(bytes);
  for (const part of interp.digestParts) digest.update(`\n${withSensitiveDigests(part, digests, false)}`);
  return {
    project: ctx.project,
    configPath,
    configDigest: digest.digest('hex'),
    variables: interp.variables,
    sensitiveValues: interp.sensitiveValues,
    sensitiveDigests: digests,
    sensitiveNumbers: sensitiveNumbers(interp.sensitiveScalars),
    machines: n.machines,
    networks: n.networks,
    volumes: n.volumes,
    secrets: n.secrets,
    containers,
    drivers,
  };
}
