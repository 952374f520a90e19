// Child processes cannot import .ts on Node 20, so compile src/state (and what it imports) to a temp folder.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileModule, removeCompiledModule } from '../../helpers/compile-module.js';

/** Returns the absolute path of the compiled state/index.js. */
export function compileStateModule(): string {
  return compileModule('state/index.ts');
}

export function removeCompiled(indexJs: string): void {
  removeCompiledModule(indexJs, 'state/index.ts');
}

export const fixture = (name: string): string => path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures', name);
