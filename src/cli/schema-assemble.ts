// The JSON Schema of machines.yml with the drivers of this run: each plugin's name joins the `driver` enum and its
// block becomes a machine key (required when the plugin says so).
import { readFileSync } from 'node:fs';
import { SCHEMA_PATH } from '../config/schema-file.js';
import type { DriverTraits } from '../model/driver-traits.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function assembleSchema(traits: DriverTraits[]): Json {
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Json;
  const machine = schema.$defs.machine as Json;
  for (const t of traits) {
    if (!machine.properties.driver.enum.includes(t.name)) machine.properties.driver.enum.push(t.name);
    if (!t.block || !t.blockSchema) continue;
    machine.properties[t.block] = { description: `Options of driver ${t.name} (plugin).`, ...t.blockSchema };
    if (t.blockRequired) {
      machine.allOf.push({ if: { properties: { driver: { const: t.name } }, required: ['driver'] }, then: { required: [t.block] } });
    }
  }
  return schema;
}
