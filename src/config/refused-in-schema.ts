// Puts every refused Compose key into the schema with its reason, so an editor shows why (a warning from
// deprecationMessage, the reason on hover) rather than a bare "property not allowed". `not: {}` keeps the key
// invalid; schema-check turns that error into the same message an unknown-but-refused key always had.
import { refusedKeysBySchemaPath } from './unsupported.js';

type Schema = Record<string, unknown>;

export function addRefusedKeys(schema: Schema): void {
  for (const [where, table] of refusedKeysBySchemaPath()) {
    let props: Schema = schema;
    for (const seg of where) props = props[seg] as Schema;
    for (const [key, reason] of Object.entries(table)) {
      if (Object.hasOwn(props, key)) continue;
      const text = `Not supported by mfile: ${reason}.`;
      props[key] = { not: {}, description: text, markdownDescription: `**Not supported by mfile**: ${reason}.`, deprecationMessage: `${key}: not supported: ${reason}` };
    }
  }
}
