// The JSON Schema of machines.yml: the base file (the file's shape, a machine without driver blocks) plus the
// block of every driver in the run's catalog, and a compiled validator for it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';
import type { DriverCatalog } from '../model/index.js';
import { compileValidator, validatorFromCode, validatorKey, type CompiledSchemaCache } from './schema-compile.js';
import { addHoverText } from './hover-text.js';
import { addRefusedKeys } from './refused-in-schema.js';

/** Absolute path of schema/machines.schema.json (src/config and dist/config are both two levels down). */
export const SCHEMA_PATH: string = fileURLToPath(new URL('../../schema/machines.schema.json', import.meta.url));

type Schema = Record<string, unknown>;

let base: string | undefined;

/**
 * The full schema for a catalog: the base, with `driver` limited to the catalog's names and each driver's
 * block (its own JSON Schema) as a machine key, required when the driver says so. A fresh object each call.
 */
export function machinesSchema(catalog: DriverCatalog): Schema {
  base ??= readFileSync(SCHEMA_PATH, 'utf8');
  const schema = JSON.parse(base) as Schema;
  const machine = (schema.$defs as Record<string, Schema>).machine;
  const props = machine.properties as Record<string, Schema>;
  const drivers = [...catalog.values()];
  // addRefusedKeys and addHoverText below write into the schema: each driver's block goes in as a copy, or they
  // would change the catalog's own schemas (and with them the validator's key, so a second check compiled again).
  const blockSchema = (d: (typeof drivers)[number]): Schema | undefined => (d.blockSchema ? (structuredClone(d.blockSchema) as Schema) : undefined);
  props.driver = { ...props.driver, enum: drivers.map((d) => d.name) };
  const allOf: Schema[] = [];
  for (const d of drivers) {
    if (d.block === null) continue;
    const sharers = drivers.filter((o) => o.block === d.block);
    if (sharers.length === 1) props[d.block] = blockSchema(d) ?? { type: 'object', description: `Options of driver ${d.name}.` };
    else {
      // Several drivers take one block (each Docker Machine driver's flags go in `docker-machine:`): the
      // machine's driver picks which schema checks it.
      props[d.block] ??= { type: 'object', description: `Options of drivers ${sharers.map((o) => o.name).join(', ')}.` };
      if (d.blockSchema) allOf.push({ if: { properties: { driver: { const: d.name } }, required: ['driver'] }, then: { properties: { [d.block]: blockSchema(d)! } } });
    }
    if (d.blockRequired) {
      // `properties` names the block here too, as ajv's strict mode wants for a required key.
      allOf.push({ if: { properties: { driver: { const: d.name } }, required: ['driver'] }, then: { properties: { [d.block]: true }, required: [d.block] } });
    }
  }
  if (allOf.length) machine.allOf = allOf;
  addRefusedKeys(schema);
  addHoverText(schema, drivers.flatMap((d) => (d.block === null ? [] : [d.block])));
  return schema;
}

const compiled = new Map<string, ValidateFunction>();
let codeCache: CompiledSchemaCache | undefined;
/** Stores V8's code cache for a validator this run loaded without a usable one. */
let pendingCodeCache: (() => void) | undefined;

/**
 * Where compiled validators are kept between runs (the CLI gives one in the user's cache folder); none by
 * default, so a library caller or a test compiles in memory and writes nothing.
 */
export function useCompiledSchemaCache(cache: CompiledSchemaCache | undefined): void {
  codeCache = cache;
  compiled.clear();
  pendingCodeCache = undefined;
}

/**
 * Stores V8's code cache for the validator this run loaded from code without one, once. Called after the
 * validator has checked a file, so the cache also holds the functions that check compiled (half the saving).
 */
export function storeValidatorCodeCache(): void {
  const store = pendingCodeCache;
  pendingCodeCache = undefined;
  try {
    store?.();
  } catch {
    // V8 could not serialise it: the next run compiles the code as before.
  }
}

/**
 * The compiled validator for a catalog, compiled once per distinct set of driver blocks (compiling is slow:
 * 0.2-0.6 s, more than the rest of a small run). With a cache, a validator compiled by an earlier run for the
 * same schema is loaded as code instead.
 */
export function schemaValidator(catalog: DriverCatalog): ValidateFunction {
  const key = JSON.stringify([...catalog.values()].map((d) => [d.name, d.block, d.blockSchema, d.blockRequired]));
  const known = compiled.get(key);
  if (known) return known;
  const schema = machinesSchema(catalog);
  let validate: ValidateFunction | undefined;
  const cache = codeCache; // a const, so the pending write below keeps it narrowed
  const digest = cache ? validatorKey(schema) : '';
  const code = cache?.read(digest);
  if (cache && code !== undefined) {
    const loaded = validatorFromCode(code, cache.readCodeCache(digest));
    validate = loaded?.validate;
    if (loaded && !loaded.codeCacheUsed) pendingCodeCache = () => cache.writeCodeCache(digest, loaded.codeCache());
  }
  if (!validate) {
    const made = compileValidator(schema, cache !== undefined);
    validate = made.validate;
    if (made.code !== undefined) cache?.write(digest, made.code);
  }
  compiled.set(key, validate);
  return validate;
}
