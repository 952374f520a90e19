// Replace a file so that a crash at any moment leaves either the old or the new content, never a mix: the
// private-file writer (temp in the same folder, O_EXCL|O_NOFOLLOW, fsync, rename, fsync the folder), after
// making the folder when it is missing.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { tempPrefixFor, writePrivateFile, writePrivateFileSync } from '../fs-safety/private-file.js';

export interface AtomicWriteOptions {
  /** Mode of the written file (default 0600: state and plans may name hosts and users). */
  mode?: number;
  /** Mode of folders created on the way (default 0700). Existing folders are left as they are. */
  dirMode?: number;
}

export async function writeFileAtomic(file: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true, mode: opts.dirMode ?? 0o700 });
  await writePrivateFile(file, data, { mode: opts.mode });
}

export function writeFileAtomicSync(file: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: opts.dirMode ?? 0o700 });
  writePrivateFileSync(file, data, { mode: opts.mode });
}

/**
 * A writer killed between creating its temp file and renaming it leaves the temp file behind. Remove those whose
 * writer (pid in the name) is gone. Callers hold the state lock, so no live writer of this file is elsewhere.
 */
export async function removeStaleTempFiles(file: string): Promise<void> {
  const dir = path.dirname(file);
  const prefix = tempPrefixFor(file);
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number.parseInt(name.slice(prefix.length), 10);
    if (!Number.isSafeInteger(pid) || pid === process.pid || pidAlive(pid)) continue;
    await fsp.rm(path.join(dir, name), { force: true }).catch(() => undefined);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
