// Runs the BUILT CLI (node bin/mfile.js) as a user would. Builds dist/ first when src/ is newer.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MFILE_BIN = path.join(REPO_ROOT, 'bin/mfile.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** True when some src/X.ts has no dist/X.js at least as new (another build may have raced ahead of an edit). */
function stale(srcDir: string, distDir: string): boolean {
  for (const e of readdirSync(srcDir, { withFileTypes: true })) {
    const src = path.join(srcDir, e.name);
    if (e.isDirectory()) {
      if (stale(src, path.join(distDir, e.name))) return true;
    } else if (e.name.endsWith('.ts')) {
      const out = path.join(distDir, e.name.replace(/\.ts$/, '.js'));
      if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) return true;
    }
  }
  return false;
}

/** Newest modification time of the files under dir, leaving out the folder named skip. */
function newestMtime(dir: string, skip: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = p === skip ? newest : Math.max(newest, newestMtime(p, skip));
    else newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Compiles src/ to dist/ unless every compiled file is newer than its source, then bundles dist/ into
 * dist/bundle/ (what bin/mfile.js runs) unless the bundle is newer than every compiled file. */
export function ensureBuilt(): void {
  const dist = path.join(REPO_ROOT, 'dist');
  if (stale(path.join(REPO_ROOT, 'src'), dist)) {
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
  const bundleMain = path.join(dist, 'bundle/main.js');
  if (existsSync(bundleMain) && statSync(bundleMain).mtimeMs >= newestMtime(dist, path.join(dist, 'bundle'))) return;
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts/bundle.mjs')], { cwd: REPO_ROOT, stdio: 'inherit' });
}

const baseEnv = (env?: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ ...process.env, CI: 'true', NO_COLOR: '1', ...env });

export function mfile(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): CliResult {
  const r = spawnSync(process.execPath, [MFILE_BIN, ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: baseEnv(opts.env),
    input: '',
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the CLI in the background (for interrupt tests); output is collected on the child. */
export function mfileSpawn(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess & { out: () => string } {
  const child = spawn(process.execPath, [MFILE_BIN, ...args], { cwd: opts.cwd ?? REPO_ROOT, env: baseEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return Object.assign(child, { out: () => out });
}
