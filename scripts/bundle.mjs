// Bundles the tsc output (dist/cli/main.js) into dist/bundle/, which bin/mfile.js runs. Why: an ESM graph of ~300
// small modules costs every run ~0.15 s of resolving, reading and linking before it does any work; a bundle with
// one chunk per lazily loaded verb or driver does not. Packages stay external (loaded from node_modules as
// before), and dist/ keeps the per-file output that tests and benches import. Run after tsc: `npm run build`.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

await build({
  cwd: root,
  input: { main: path.join(root, 'dist/cli/main.js') },
  platform: 'node',
  logLevel: 'warn',
  external: (id) => !id.startsWith('.') && !path.isAbsolute(id),
  output: { dir: path.join(root, 'dist/bundle'), format: 'esm', cleanDir: true, keepNames: true },
});
