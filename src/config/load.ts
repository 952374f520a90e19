// loadConfig: machines.yml -> Desired. Every problem is collected and thrown as one ConfigError.
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { ConfigError, UsageError } from '../errors.js';
import type { Desired } from '../model/desired.js';
import type { DriverCatalog } from '../model/driver-traits.js';
import { withSensitiveDigests } from '../model/sensitive-digest.js';
import type { Context, Raw } from './context.js';
import { crossCheck } from './cross-check.js';
import { readDotenv } from './dotenv.js';
import { interpolate } from './interpolate.js';
import { IssueList } from './issues.js';
import { expandReplicas, normalise } from './normalise.js';
import type { ConfigSource } from './config-source.js';
import { decodeYaml } from './decode-yaml.js';
import { readFast } from './fast-yaml.js';
import { checkSchema, matchesSchema } from './schema-check.js';
import { refuseSensitiveAddresses } from './sensitive-address.js';
import { requireSensitiveSecrets } from './secret-options.js';
import { SensitiveDigester, sensitiveNumbers } from './sensitive-digests.js';
import { validParts } from './valid-parts.js';
import { checkPushes, placeRegistryCas, registrySecrets } from './normalise-registries.js';
import { normaliseSwarm } from './swarm-normalise.js';
import { swarmDigests } from './swarm-digests.js';

export interface LoadOptions {
  /** Path of machines.yml as the user gave it; issues name it this way. */
  file: string;
  /** --var-stdin, --var and --var-file values, merged (the .env beside the file is read here). */
  vars?: Record<string, string>;
  /** Environment for MFILE_VAR_name, ${env:NAME} and bare environment keys (default process.env). */
  env?: NodeJS.ProcessEnv;
  /**
   * 'positioned' skips the fast reader (tests and the bench compare the two). By default a file is read
   * quickly first and read again with positions only when there is something to report.
   */
  reader?: 'auto' | 'positioned';
  /**
   * The file is only checked (mfile validate), never planned: the slow digests of sensitive values, which only
   * go into config hashes and the config digest, are left out (sensitiveDigests empty, configDigest without them).
   */
  checkOnly?: boolean;
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
  const bytes = await readBytes(opts.file, configPath);
  const fast = opts.reader === 'positioned' ? undefined : readQuick(opts.file, bytes);
  if (fast) {
    try {
      return await fromSource(opts, drivers, configPath, bytes, fast, new IssueList());
    } catch {
      // Some problem, or a step that threw: the positioned path reads the file again to report it in place.
    }
  }
  const issues = new IssueList();
  // The `yaml` package and the tree walks over it load only now: a valid file never needs them.
  const { readPositioned } = await import('./positioned-source.js');
  const src = readPositioned(opts.file, bytes, issues);
  if (!src) throw issues.error();
  return fromSource(opts, drivers, configPath, bytes, src, issues);
}

function readQuick(file: string, bytes: Uint8Array): ConfigSource | undefined {
  const text = decodeYaml(file, bytes, new IssueList());
  return text === undefined ? undefined : readFast(file, text);
}

async function fromSource(opts: LoadOptions, drivers: DriverCatalog, configPath: string, bytes: Uint8Array, src: ConfigSource, issues: IssueList): Promise<Desired> {
  const env = opts.env ?? process.env;
  const dotenv = await readDotenv(opts.file, env);
  const interp = interpolate(src, src.placer, { vars: opts.vars ?? {}, env, dotenv: dotenv.vars }, issues);
  src.checkTree(issues);
  issues.maskValues(interp.sensitiveValues);
  for (const issue of dotenv.issues) issues.add(issue);
  let data: Raw;
  try {
    data = src.data();
  } catch (err) {
    issues.add({ file: opts.file, line: 1, col: 1, message: `YAML error: ${(err as Error).message}` });
    throw issues.error();
  }
  const project = (d: Raw): string => (typeof d.project === 'string' ? d.project : defaultProject(configPath));
  // scrypt runs on libuv's pool while the file is checked; a registry password found later is added then.
  const digester = opts.checkOnly ? undefined : new SensitiveDigester(project(data));
  digester?.start(interp.sensitiveValues);
  const errorPaths = checkSchema(data, src.placer, issues, interp, drivers);
  if (errorPaths.length && !issues.size) issues.add({ file: opts.file, line: 1, col: 1, message: 'does not match the machines.yml schema' });
  // After schema errors the cross-field checks still run, on the entries that passed, so that every problem
  // is reported at once; if even those do not match the schema, they are skipped rather than risk a crash.
  const parts = errorPaths.length ? validParts(data, errorPaths) : undefined;
  if (parts) {
    if (!matchesSchema(parts.data, drivers)) issues.throwIfAny();
    data = parts.data;
  }

  const ctx: Context = {
    locator: src.placer,
    issues,
    configDir: dirname(configPath),
    env,
    drivers,
    project: project(data),
    sensitive: interp.sensitiveValues,
    excluded: parts?.excluded,
  };
  refuseSensitiveAddresses(ctx, data);
  requireSensitiveSecrets(ctx, data);
  const n = normalise(ctx, data);
  crossCheck(ctx, data, n);
  const containers = expandReplicas(ctx, n.written);
  checkPushes(ctx, containers, n.registries);
  placeRegistryCas(n.machines, containers, n.registries);
  // A registry password is sensitive however it was written (literal, plain variable, environment).
  const sensitiveValues = [...new Set([...interp.sensitiveValues, ...registrySecrets(n.registries)])].sort();
  issues.maskValues(sensitiveValues);
  const swarm = normaliseSwarm(ctx, data, n.networks, n.secrets);
  issues.throwIfAny();
  if (swarm) await swarmDigests(swarm, n.secrets, ctx.project);

  const digests = digester ? await digester.digests(sensitiveValues, ctx.project) : [];
  const digest = createHash('sha256').update(bytes);
  for (const part of interp.digestParts) digest.update(`\n${withSensitiveDigests(part, digests, false)}`);
  return {
    project: ctx.project,
    configPath,
    configDigest: digest.digest('hex'),
    variables: interp.variables,
    sensitiveValues,
    sensitiveDigests: digests,
    sensitiveNumbers: sensitiveNumbers(interp.sensitiveScalars),
    machines: n.machines,
    networks: n.networks,
    volumes: n.volumes,
    secrets: n.secrets,
    ...(Object.keys(n.registries).length ? { registries: n.registries } : {}),
    containers,
    ...(swarm ? { swarm } : {}),
    drivers,
  };
}
