// Child processes cannot import .ts on Node 20: compile one module of src/ (and what it imports) to a temp folder.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Compiles src/`entry` (e.g. `state/index.ts`); returns the absolute path of its .js. */
export function compileModule(entry: string): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'mfile-module-build-'));
  execFileSync(
    process.execPath,
    [
      path.join(repo, 'node_modules/typescript/bin/tsc'),
      '--outDir', out, '--rootDir', path.join(repo, 'src'),
      '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2023',
      '--strict', '--skipLibCheck', '--types', 'node', '--typeRoots', path.join(repo, 'node_modules/@types'),
      path.join(repo, 'src', entry),
    ],
    { cwd: repo, stdio: 'pipe' },
  );
  fs.writeFileSync(path.join(out, 'package.json'), '{"type":"module"}\n'); // .js under /tmp is ESM too
  return path.join(out, entry.replace(/\.ts$/, '.js'));
}

/** Removes the folder compileModule made for `entry` (the compiled module's path). */
export function removeCompiledModule(js: string, entry: string): void {
  if (!js) return;
  const depth = entry.split('/').length;
  let root = js;
  for (let i = 0; i < depth; i++) root = path.dirname(root);
  if (path.basename(root).startsWith('mfile-module-build-')) fs.rmSync(root, { recursive: true, force: true });
}
