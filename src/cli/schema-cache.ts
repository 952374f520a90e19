// The compiled-schema cache: ajv's standalone code for the machines.yml schema, one file per schema digest in
// the user's cache folder that mfile owns ($XDG_CACHE_HOME/mfile, else ~/.cache/mfile), and beside it V8's code
// cache for that code. Compiling the schema was 0.2-0.6 s of every run, more than the rest of a small one;
// loading the stored code takes a tenth of that, and the code cache saves V8 parsing 0.7 MB of code again and
// compiling what a check runs (~15 ms a run). Both are run, so they are used only from a folder of this user's
// that no one else can write, from regular files of this user's opened without following symlinks, and only
// when their bytes match the digest they carry. Every failure means "compile as before"; nothing here stops a run.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { CompiledSchemaCache } from '../config/schema-compile.js';
import { writePrivateFileSync } from '../fs-safety/private-file.js';

const PREFIX = 'schema-';
const SUFFIX = '.cjs';
/**
 * V8's code cache for a validator's code: only this V8 makes or takes it (it refuses another's), so the file
 * names the V8 version; the newest few are kept whichever V8 made them. Its first 32 bytes are the sha256 of the rest.
 */
const CODE_CACHE_SUFFIX = `.v8-${createHash('sha256').update(process.versions.v8).digest('hex').slice(0, 12)}`;
/** Names of the two kinds of file, each pruned on its own. */
const CODE_FILE = /^schema-[0-9a-f]{64}\.cjs$/;
const CODE_CACHE_FILE = /^schema-[0-9a-f]{64}\.v8-[0-9a-f]{12}$/;
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
const sha256Bytes = (data: Uint8Array): Buffer => createHash('sha256').update(data).digest();
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

/** The bytes of a regular file of ours in a folder of ours, opened without following a symlink. */
function readPrivate(dir: string, name: string): Buffer | undefined {
  if (!safeDir(dir)) return undefined;
  let fd: number | undefined;
  try {
    fd = fs.openSync(path.join(dir, name), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    const st = fs.fstatSync(fd);
    return st.isFile() && private_(st) ? fs.readFileSync(fd) : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function read(dir: string, key: string): string | undefined {
  const text = readPrivate(dir, PREFIX + key + SUFFIX)?.toString('utf8');
  const m = text === undefined ? null : HEADER.exec(text);
  const body = m ? text!.slice(m[0].length) : undefined;
  return body !== undefined && sha256(body) === m![1] ? body : undefined;
}

function readCodeCache(dir: string, key: string): Buffer | undefined {
  const bytes = readPrivate(dir, PREFIX + key + CODE_CACHE_SUFFIX);
  if (!bytes || bytes.length <= 32) return undefined;
  const body = bytes.subarray(32);
  return sha256Bytes(body).equals(bytes.subarray(0, 32)) ? body : undefined;
}

/** Removes all but the KEEP newest files of KIND besides KEPT (each run keeps only what its schema needs). */
function prune(dir: string, kept: string, kind: RegExp): void {
  const files = fs
    .readdirSync(dir)
    .filter((f) => kind.test(f) && f !== kept)
    .map((f) => ({ f, t: fs.lstatSync(path.join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { f } of files.slice(KEEP - 1)) fs.rmSync(path.join(dir, f), { force: true });
}

function write(dir: string, name: string, kind: RegExp, data: string | Uint8Array): void {
  try {
    if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!safeDir(dir)) return;
    writePrivateFileSync(path.join(dir, name), data);
    prune(dir, name, kind);
  } catch {
    // A read-only or full disk: the next run compiles again.
  }
}

/** The cache in the user's cache folder, or undefined when there is no home to put it in. */
export function compiledSchemaCache(env: NodeJS.ProcessEnv = process.env): CompiledSchemaCache | undefined {
  const dir = schemaCacheDir(env);
  if (!dir) return undefined;
  return {
    read: (key) => read(dir, key),
    write: (key, code) => write(dir, PREFIX + key + SUFFIX, CODE_FILE, `// mfile compiled schema sha256=${sha256(code)}\n${code}`),
    readCodeCache: (key) => readCodeCache(dir, key),
    writeCodeCache: (key, data) => write(dir, PREFIX + key + CODE_CACHE_SUFFIX, CODE_CACHE_FILE, Buffer.concat([sha256Bytes(data), data])),
  };
}
