// Child processes cannot import .ts on Node 20, so compile src/state (and what it imports) to a temp folder.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Returns the absolute path of the compiled state/index.js. */
export function compileStateModule(): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'mfile-state-build-'));
  execFileSync(
    process.execPath,
    [
      path.join(repo, 'node_modules/typescript/bin/tsc'),
      '--outDir', out, '--rootDir', path.join(repo, 'src'),
      '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2023',
      '--strict', '--skipLibCheck', '--types', 'node', '--typeRoots', path.join(repo, 'node_modules/@types'),
      path.join(repo, 'src/state/index.ts'),
    ],
    { cwd: repo, stdio: 'pipe' },
  );
  fs.writeFileSync(path.join(out, 'package.json'), '{"type":"module"}\n'); // .js under /tmp is ESM too
  return path.join(out, 'state', 'index.js');
}

export function removeCompiled(indexJs: string): void {
  if (indexJs) fs.rmSync(path.dirname(path.dirname(indexJs)), { recursive: true, force: true });
}

export const fixture = (name: string): string => path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures', name);
