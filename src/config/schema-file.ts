// Where the one JSON Schema of machines.yml lives, and a compiled validator for it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';

// NodeNext sees the CommonJS default export as a namespace (ajv-formats #28).
const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default;

/** Absolute path of schema/machines.schema.json (src/config and dist/config are both two levels down). */
export const SCHEMA_PATH: string = fileURLToPath(new URL('../../schema/machines.schema.json', import.meta.url));

let compiled: ValidateFunction | undefined;

export function schemaValidator(): ValidateFunction {
  if (compiled) return compiled;
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object;
  // verbose: errors carry their schema, for patternErrorMessage and "did you mean".
  // code.optimize off: ajv's pass over the generated code cost a third of compiling this schema (0.1 s of every
  // run) and saved no measurable time validating a 10,000-container file.
  const ajv = new Ajv2020({ allErrors: true, verbose: true, allowUnionTypes: true, strictTuples: false, code: { optimize: false } });
  // Annotations editors understand (VS Code, yaml-language-server); no validation of their own.
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
  addFormats(ajv, ['ipv4', 'ipv6']);
  compiled = ajv.compile(schema);
  return compiled;
}
