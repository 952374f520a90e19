// Annotation keywords that editors read (VS Code, yaml-language-server) and ajv does not know. Declared so the
// schema compiles in ajv's strict mode; they validate nothing.
import type { Ajv } from 'ajv';

export const EDITOR_KEYWORDS: readonly string[] = ['markdownDescription', 'patternErrorMessage', 'deprecationMessage'];

/** Declares the editor annotations on an ajv instance (strings, no validation). */
export function addEditorKeywords(ajv: Pick<Ajv, 'addKeyword'>): void {
  for (const keyword of EDITOR_KEYWORDS) ajv.addKeyword({ keyword, schemaType: 'string' });
}
