// Compiling the machines.yml schema with ajv, and the same validator as standalone code that a later run
// loads instead of compiling again (ajv's own standalone output; the CLI keeps it in the user's cache folder).
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import vm from 'node:vm';
import type { ValidateFunction } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import type addFormatsImport from 'ajv-formats';
import { addEditorKeywords } from './editor-keywords.js';

// ajv is CommonJS and loaded only to compile: a run that finds its validator in the cache needs only the few
// runtime helpers the code names. require() also skips the ES loader's format check and export scan.
const require = createRequire(import.meta.url);

/**
 * Stored validator code by schema digest, and V8's code cache for that code (the compiled form of the 0.7 MB of
 * code, which V8 otherwise parses again each run); reads answer undefined for anything missing or unreadable.
 */
export interface CompiledSchemaCache {
  read(key: string): string | undefined;
  write(key: string, code: string): void;
  readCodeCache(key: string): Buffer | undefined;
  writeCodeCache(key: string, data: Buffer): void;
}

// verbose: errors carry their schema, for patternErrorMessage and "did you mean".
// code.optimize off: ajv's pass over the generated code cost a third of compiling this schema (0.1 s of every
// run) and saved no measurable time validating a 10,000-container file.
const OPTIONS = { allErrors: true, verbose: true, allowUnionTypes: true, strictTuples: false } as const;
const FORMATS = ['ipv4', 'ipv6'] as const;
/** Changes whenever the way code is made or loaded here changes, so older code is never loaded. */
const CODE_FORMAT = 1;

/** The key of the validator for SCHEMA: the schema, ajv's version and how it is compiled. */
export function validatorKey(schema: object): string {
  const ajvVersion = (require('ajv/package.json') as { version: string }).version;
  return createHash('sha256')
    .update(JSON.stringify([CODE_FORMAT, ajvVersion, OPTIONS, FORMATS, schema]))
    .digest('hex');
}

/** Compiles SCHEMA; with `standalone`, also returns the validator as CommonJS code for validatorFromCode. */
export function compileValidator(schema: object, standalone: boolean): { validate: ValidateFunction; code?: string } {
  const { Ajv2020: Ajv } = require('ajv/dist/2020.js') as { Ajv2020: typeof Ajv2020 };
  const addFormats = require('ajv-formats') as typeof addFormatsImport.default;
  const ajv = new Ajv({ ...OPTIONS, code: { optimize: false, source: standalone } });
  addEditorKeywords(ajv);
  addFormats(ajv, [...FORMATS]);
  const validate = ajv.compile(schema);
  if (!standalone) return { validate };
  const standaloneCode = (require('ajv/dist/standalone/index.js') as { default: (a: typeof ajv, v: ValidateFunction) => string }).default;
  return { validate, code: standaloneCode(ajv, validate) };
}

/** Only ajv's runtime helpers may be required by stored code. */
const RUNTIME = /^ajv\/dist\/runtime\/[a-z0-9_]+$/;

/** A validator loaded from stored code. */
export interface LoadedValidator {
  validate: ValidateFunction;
  /** The code cache given was accepted by V8 (same version and flags as the run that made it). */
  codeCacheUsed: boolean;
  /** V8's code cache for the code as compiled so far: taken after a validation, it also holds what that compiled. */
  codeCache(): Buffer;
}

/** The validator in CODE (from compileValidator), or undefined when it does not load; CODECACHE speeds the compile. */
export function validatorFromCode(code: string, codeCache?: Buffer): LoadedValidator | undefined {
  const mod: { exports: unknown } = { exports: {} };
  const runtimeOnly = (id: string): unknown => {
    if (!RUNTIME.test(id)) throw new Error(`stored validator requires ${id}`);
    return require(id);
  };
  let script: vm.Script;
  try {
    // The code is ajv's output for our schema, run as a CommonJS module body; a vm.Script (not new Function)
    // because only a script takes and gives V8's code cache.
    script = new vm.Script(`(function (require, module, exports) {${code}\n})`, { filename: 'mfile-schema-validator.cjs', cachedData: codeCache });
    (script.runInThisContext() as (r: typeof runtimeOnly, m: typeof mod, e: unknown) => void)(runtimeOnly, mod, mod.exports);
  } catch {
    return undefined;
  }
  if (typeof mod.exports !== 'function') return undefined;
  return { validate: mod.exports as ValidateFunction, codeCacheUsed: codeCache !== undefined && !script.cachedDataRejected, codeCache: () => script.createCachedData() };
}
