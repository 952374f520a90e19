// Validates the interpolated data against schema/machines.schema.json and turns ajv's errors into one
// human message each, positioned at the offending key or value.
import type { ErrorObject } from 'ajv';
import type { DriverCatalog } from '../model/index.js';
import { didYouMean } from './did-you-mean.js';
import { DOCKER_MACHINE_BLOCK, dockerMachineBinaryName, dockerMachineDriverName } from '../model/docker-machine-names.js';
import type { IssueList } from './issues.js';
import { pathToString, type Path } from './path-text.js';
import type { Placer } from './placer.js';
import { schemaValidator, storeValidatorCodeCache } from './schema-file.js';
import { unsupportedReason } from './unsupported.js';

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'empty',
};

const NAME_KIND: Record<string, string> = {
  machines: 'machine name',
  containers: 'container name',
  networks: 'network name',
  volumes: 'volume name',
  secrets: 'secret name',
  variables: 'variable name',
};

function toPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^[0-9]+$/.test(s) ? Number(s) : s));
}

function suggestion(key: string, schema: unknown): string {
  const keys = Object.keys((schema as { properties?: object })?.properties ?? {});
  // Options named with a prefix (Docker Machine's generic-ip-address) are often written without it.
  const prefixed = keys.filter((k) => k.endsWith(`-${key}`));
  return didYouMean(key, keys) || (prefixed.length === 1 ? ` (did you mean '${prefixed[0]}'?)` : '');
}

/** For a pattern whose message lists the choices ("must be one of: no, always, on-failure[:N]"), the nearest. */
function choiceHint(message: string, value: unknown): string {
  const list = /^must be one of: (.*)$/.exec(message);
  if (!list || typeof value !== 'string') return '';
  return didYouMean(value, list[1].split(', ').map((c) => c.replace(/\[.*\]$/, '')));
}

function show(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : JSON.stringify(v);
}

interface Mapped {
  path: Path;
  key?: boolean;
  message: string;
}

/** What a driver's required block looks like, from its schema: `{host: ...}`. */
function blockHint(catalog: DriverCatalog, block: string): string {
  const d = [...catalog.values()].find((t) => t.block === block);
  const required = (d?.blockSchema?.required as string[] | undefined) ?? [];
  return d ? ` (driver ${d.name} needs ${block}: {${required.length ? `${required.join(', ')}: ...` : ''}})` : '';
}

function isDriverPath(path: Path): boolean {
  return path.length === 3 && path[0] === 'machines' && path[2] === 'driver';
}

function describe(e: ErrorObject, catalog: DriverCatalog): Mapped | undefined {
  const path = toPath(e.instancePath);
  const where = pathToString(path);
  const at = (msg: string): string => (where ? `${where}: ${msg}` : msg);
  const ps = e.parentSchema as Record<string, unknown> | undefined;
  switch (e.keyword) {
    case 'anyOf': {
      // A choice list written as anyOf (so editors complete it) reports its one message, not each branch's.
      const custom = ps?.patternErrorMessage;
      if (typeof custom !== 'string') return undefined;
      return { path, message: at(`${show(e.data)} ${custom}${choiceHint(custom, e.data)}`) };
    }
    case 'not': {
      // A refused Compose key is in the schema with `not: {}` and its reason.
      const key = String(path[path.length - 1]);
      const parent = path.slice(0, -1);
      const reason = unsupportedReason(parent, key);
      if (reason) return { path, key: true, message: `${key}: not supported: ${reason}` };
      const pw = pathToString(parent);
      return { path, key: true, message: pw ? `unknown key '${key}' in ${pw}` : `unknown top-level key '${key}'` };
    }
    case 'if':
    case 'oneOf':
    case 'propertyNames':
      return undefined; // their sub-errors say what is wrong
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      // The flags block of a Docker Machine driver whose binary is missing: the error at its driver key says why.
      const driver = (e.data as { driver?: unknown } | undefined)?.driver;
      if (key === DOCKER_MACHINE_BLOCK && typeof driver === 'string' && dockerMachineDriverName(driver) !== undefined) return undefined;
      const reason = unsupportedReason(path, key);
      const keyPath = [...path, key];
      if (reason) return { path: keyPath, key: true, message: `${key}: not supported: ${reason}` };
      const msg = where ? `unknown key '${key}' in ${where}` : `unknown top-level key '${key}'`;
      return { path: keyPath, key: true, message: msg + suggestion(key, ps) };
    }
    case 'required': {
      const missing = String(e.params.missingProperty);
      const driver = /\/allOf\/\d+\/then\//.test(e.schemaPath) ? blockHint(catalog, missing) : '';
      const msg = where ? `missing required key '${missing}' in ${where}${driver}` : `missing required key '${missing}'`;
      return { path, key: true, message: msg };
    }
    case 'type': {
      const types = (Array.isArray(e.params.type) ? e.params.type : String(e.params.type).split(',')) as string[];
      return { path, message: at(`must be ${types.map((t) => TYPE_WORDS[t] ?? t).join(' or ')}`) };
    }
    case 'enum': {
      if (isDriverPath(path) && typeof e.data === 'string') {
        const dm = dockerMachineDriverName(e.data);
        if (dm !== undefined) return { path, message: at(`driver '${e.data}': no ${dockerMachineBinaryName(dm)} on PATH`) };
        const known = [...catalog.keys()].sort();
        return { path, message: at(`unknown driver '${e.data}' (known drivers: ${known.join(', ')})${didYouMean(e.data, known)}`) };
      }
      const allowed = (e.params.allowedValues as unknown[]).map(String);
      const hint = typeof e.data === 'string' ? didYouMean(e.data, allowed) : '';
      return { path, message: at(`must be one of: ${allowed.join(', ')}${hint}`) };
    }
    case 'const': {
      // A value fixed by another key of the block (qemu's network by forward) says why.
      const custom = ps?.patternErrorMessage;
      return { path, message: at(typeof custom === 'string' ? custom : `must be ${JSON.stringify(e.params.allowedValue)}`) };
    }
    case 'pattern': {
      const custom = ps?.patternErrorMessage;
      const msg = typeof custom === 'string' ? custom : `must match the pattern ${String(e.params.pattern)}`;
      if (e.propertyName !== undefined) {
        const kind = NAME_KIND[String(path[path.length - 1])] ?? 'name';
        return { path: [...path, e.propertyName], key: true, message: `invalid ${kind} '${e.propertyName}': ${msg}` };
      }
      return { path, message: at(`${show(e.data)} ${msg}${choiceHint(msg, e.data)}`) };
    }
    case 'format':
      return { path, message: at(`${show(e.data)} must be an ${String(e.params.format).replace('ip', 'IP')} address`) };
    case 'uniqueItems':
      return { path, message: at('lists the same item twice') };
    case 'minItems':
      return { path, message: at(`must have at least ${String(e.params.limit)} item(s)`) };
    default:
      return { path, message: at(e.message ?? 'is not valid') };
  }
}

/**
 * A quoted "${port}" where the schema wants a number or boolean takes that type, as Compose casts
 * interpolated values. Only substituted scalars are touched: a literal "22" stays a string (and an error).
 */
function coerceSubstituted(data: unknown, errors: ErrorObject[], locator: Placer, substituted: ReadonlySet<object>): boolean {
  let changed = false;
  for (const e of errors) {
    if (e.keyword !== 'type' || typeof e.data !== 'string') continue;
    const path = toPath(e.instancePath);
    const node = locator.node(path);
    if (!node || !substituted.has(node) || !path.length) continue;
    const types = String(e.params.type).split(',');
    const text = e.data;
    let value: number | boolean | undefined;
    if (types.includes('integer') && /^-?[0-9]+$/.test(text)) value = Number(text);
    else if (types.includes('number') && text.trim() !== '' && Number.isFinite(Number(text))) value = Number(text);
    else if (types.includes('boolean') && (text === 'true' || text === 'false')) value = text === 'true';
    if (value === undefined) continue;
    let parent = data as Record<string | number, unknown>;
    for (const seg of path.slice(0, -1)) parent = parent[seg] as Record<string | number, unknown>;
    parent[path[path.length - 1]] = value;
    changed = true;
  }
  return changed;
}

/** Where each schema error is: the value's path, plus the offending key or name when the error is about one. */
function errorPath(e: ErrorObject): Path {
  const path = toPath(e.instancePath);
  if (e.keyword === 'additionalProperties') return [...path, String(e.params.additionalProperty)];
  if (e.propertyName !== undefined) return [...path, e.propertyName];
  if (e.keyword === 'propertyNames') return [...path, String(e.params.propertyName)];
  return path;
}

/**
 * Reports every schema error; returns the paths of the values that failed (empty when the data is valid),
 * so that the cross-field checks can still run on the rest.
 */
export function checkSchema(
  data: unknown,
  locator: Placer,
  issues: IssueList,
  interp: { failed: ReadonlySet<object>; substituted: ReadonlySet<object> },
  catalog: DriverCatalog,
): Path[] {
  const validate = schemaValidator(catalog);
  const valid = validate(data);
  storeValidatorCodeCache();
  if (valid) return [];
  if (coerceSubstituted(data, validate.errors ?? [], locator, interp.substituted) && validate(data)) return [];
  const failed = interp.failed;
  const errors = validate.errors ?? [];
  // Branches of an anyOf that has its own message are covered by it.
  const covered = errors
    .filter((e) => e.keyword === 'anyOf' && typeof (e.parentSchema as Record<string, unknown> | undefined)?.patternErrorMessage === 'string')
    .map((e) => `${e.instancePath}|${e.schemaPath}/`);
  for (const e of errors) {
    if (covered.some((c) => `${e.instancePath}|${e.schemaPath}`.startsWith(c))) continue;
    const m = describe(e, catalog);
    if (!m) continue;
    const node = locator.node(m.path);
    if (node && failed.has(node)) continue; // the interpolation error already covers it
    issues.add(locator.issue(m.path, m.message, { key: m.key }));
  }
  return errors.length ? errors.map(errorPath) : [[]];
}

/** True when `data` matches the schema (for data already cut down to its valid parts). */
export function matchesSchema(data: unknown, catalog: DriverCatalog): boolean {
  return schemaValidator(catalog)(data);
}
