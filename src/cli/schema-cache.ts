// The compiled-schema cache: ajv's standalone code for the machines.yml schema, one file per schema digest in
// the user's cache folder that mfile owns ($XDG_CACHE_HOME/mfile, else ~/.cache/mfile). Compiling the schema
// was 0.2-0.6 s of every run, more than the rest of a small one; loading the stored code takes a tenth of that.
// The code is run, so it is used only from a folder of this user's that no one else can write, from a regular
// file of this user's opened without following symlinks, and only when its body matches the digest in its
// first line. Every failure means "compile as before"; nothing here stops a run.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { CompiledSchemaCache } from '../config/schema-compile.js';
import { writePrivateFileSync } from '../fs-safety/private-file.js';

const PREFIX = 'schema-';
const SUFFIX = '.cjs';
/** Validators kept: one per schema (mfile version, plugin set); older ones are removed on write. */
const KEEP = 4;
const HEADER = /^\/\/ mfile compiled schema sha256=([0-9a-f]{64})\n/;

/** The folder, per the XDG base directory spec: a relative XDG_CACHE_HOME is ignored. */
export function schemaCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'mfile');
  let home: string;
  try {
    home = env.HOME && path.isAbsolute(env.HOME) ? env.HOME : homedir();
  } catch {
    return undefined;
  }
  return home ? path.join(home, '.cache', 'mfile') : undefined;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const uid = process.getuid?.();
/** Ours and writable by no one else. */
const private_ = (st: fs.Stats): boolean => (uid === undefined || st.uid === uid) && (st.mode & 0o022) === 0;

function safeDir(dir: string): boolean {
  try {
    const st = fs.lstatSync(dir);
    return st.isDirectory() && private_(st);
  } catch {
    return false;
  }
}

function read(dir: string, key: string): string | undefined {
  if (!safeDir(dir)) return undefined;
  let fd: number | undefined;
  try {
    fd = fs.openSync(path.join(dir, PREFIX + key + SUFFIX), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    const st = fs.fstatSync(fd);
    if (!st.isFile() || !private_(st)) return undefined;
    const text = fs.readFileSync(fd, 'utf8');
    const m = HEADER.exec(text);
    const body = m ? text.slice(m[0].length) : undefined;
    return body !== undefined && sha256(body) === m![1] ? body : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Removes all but the KEEP newest validators besides KEPT (each run keeps only what its schema needs). */
function prune(dir: string, kept: string): void {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(PREFIX) && f.endsWith(SUFFIX) && f !== kept)
    .map((f) => ({ f, t: fs.lstatSync(path.join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { f } of files.slice(KEEP - 1)) fs.rmSync(path.join(dir, f), { force: true });
}

function write(dir: string, key: string, code: string): void {
  try {
    if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!safeDir(dir)) return;
    const name = PREFIX + key + SUFFIX;
    writePrivateFileSync(path.join(dir, name), `// mfile compiled schema sha256=${sha256(code)}\n${code}`);
    prune(dir, name);
  } catch {
    // A read-only or full disk: the next run compiles again.
  }
}

/** The cache in the user's cache folder, or undefined when there is no home to put it in. */
export function compiledSchemaCache(env: NodeJS.ProcessEnv = process.env): CompiledSchemaCache | undefined {
  const dir = schemaCacheDir(env);
  if (!dir) return undefined;
  return { read: (key) => read(dir, key), write: (key, code) => write(dir, key, code) };
}
