// Replace a file so that a crash at any moment leaves either the old or the new content, never a mix:
// write a temp file in the same folder, fsync it, rename it over the target, fsync the folder.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

export interface AtomicWriteOptions {
  /** Mode of the written file (default 0600: state and plans may name hosts and users). */
  mode?: number;
  /** Mode of folders created on the way (default 0700). Existing folders are left as they are. */
  dirMode?: number;
}

function tempPathFor(file: string): string {
  // Same folder, so rename never crosses a filesystem; pid + random so concurrent writers never share one.
  return path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

// Some filesystems refuse fsync on a directory; the rename is still done, only its durability is weaker.
function ignorableDirSyncError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EISDIR' || code === 'EINVAL' || code === 'EPERM' || code === 'EBADF';
}

export async function writeFileAtomic(file: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  const mode = opts.mode ?? 0o600;
  const dir = path.dirname(file);
  await fsp.mkdir(dir, { recursive: true, mode: opts.dirMode ?? 0o700 });
  const tmp = tempPathFor(file);
  let renamed = false;
  try {
    const fh = await fsp.open(tmp, 'wx', mode);
    try {
      await fh.chmod(mode); // the umask may have narrowed or (with 0) not applied; make it exact
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, file);
    renamed = true;
    const dh = await fsp.open(dir, 'r');
    try {
      await dh.sync();
    } catch (err) {
      if (!ignorableDirSyncError(err)) throw err;
    } finally {
      await dh.close();
    }
  } finally {
    if (!renamed) await fsp.rm(tmp, { force: true }).catch(() => undefined);
  }
}

export function writeFileAtomicSync(file: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  const mode = opts.mode ?? 0o600;
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: opts.dirMode ?? 0o700 });
  const tmp = tempPathFor(file);
  let renamed = false;
  try {
    const fd = fs.openSync(tmp, 'wx', mode);
    try {
      fs.fchmodSync(fd, mode);
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    renamed = true;
    const dfd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dfd);
    } catch (err) {
      if (!ignorableDirSyncError(err)) throw err;
    } finally {
      fs.closeSync(dfd);
    }
  } finally {
    if (!renamed) fs.rmSync(tmp, { force: true });
  }
}

/**
 * A writer killed between creating its temp file and renaming it leaves the temp file behind. Remove those whose
 * writer (pid in the name) is gone. Callers hold the state lock, so no live writer of this file is elsewhere.
 */
export async function removeStaleTempFiles(file: string): Promise<void> {
  const dir = path.dirname(file);
  const prefix = `.${path.basename(file)}.tmp-`;
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
