// The one check for folders that hold keys and state: a real folder (not a symlink), owned by this user, not
// writable by group or others. Anyone else who could write there could plant a symlink or swap a key.
// fs-safety/ imports only errors.ts, so state/, remote/ and drivers/ (which may not import one another) share it.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { UnsafePathError } from '../errors.js';

function problemWith(st: fs.Stats): string | null {
  if (st.isSymbolicLink()) return 'it is a symbolic link';
  if (!st.isDirectory()) return 'it is not a folder';
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) return `it is owned by uid ${st.uid}, not by this user (uid ${uid})`;
  if ((st.mode & 0o022) !== 0) return `it is writable by group or others (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')})`;
  return null;
}

function refuse(dir: string, why: string): UnsafePathError {
  return new UnsafePathError(`refusing to write into ${dir}: ${why}`);
}

/** Makes `dir` (0700, parents too) when missing, then refuses it unless it is a safe folder of ours. */
export async function ensureOwnedDir(dir: string): Promise<void> {
  let st: fs.Stats;
  try {
    st = await fsp.lstat(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw refuse(dir, (err as Error).message);
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    st = await fsp.lstat(dir);
  }
  const why = problemWith(st);
  if (why) throw refuse(dir, why);
}

/** `base`, then each of `parts` below it in turn, all checked (or made) by ensureOwnedDir; returns the last. */
export async function ensureOwnedDirs(base: string, ...parts: string[]): Promise<string> {
  let dir = base;
  await ensureOwnedDir(dir);
  for (const p of parts) {
    dir = path.join(dir, p);
    await ensureOwnedDir(dir);
  }
  return dir;
}
