// The one writer for keys, certificates and state: a fresh temp file in the same folder (O_CREAT|O_EXCL|
// O_NOFOLLOW, so nothing planted there is opened), exact mode, fsync, then rename over the target. rename
// replaces a symlink at the target instead of writing through it, and a crash leaves the old or the new file.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
const CREATE_NEW = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;

export interface PrivateFileOptions {
  /** Mode of the written file; default 0600. */
  mode?: number;
}

/** `.NAME.tmp-` : temp files of NAME start with this, followed by the writer's pid. */
export function tempPrefixFor(file: string): string {
  return `.${path.basename(file)}.tmp-`;
}

function tempPathFor(file: string): string {
  // Same folder, so rename never crosses a filesystem; pid + random so concurrent writers never share one.
  return path.join(path.dirname(file), `${tempPrefixFor(file)}${process.pid}-${randomBytes(4).toString('hex')}`);
}

// Some filesystems refuse fsync on a directory; the rename is still done, only its durability is weaker.
function ignorableDirSyncError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EISDIR' || code === 'EINVAL' || code === 'EPERM' || code === 'EBADF';
}

export async function writePrivateFile(file: string, data: string | Uint8Array, opts: PrivateFileOptions = {}): Promise<void> {
  const mode = opts.mode ?? 0o600;
  const tmp = tempPathFor(file);
  let renamed = false;
  try {
    const fh = await fsp.open(tmp, CREATE_NEW, mode);
    try {
      await fh.chmod(mode); // the umask may have narrowed it; make it exact
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, file);
    renamed = true;
    const dh = await fsp.open(path.dirname(file), 'r');
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

export function writePrivateFileSync(file: string, data: string | Uint8Array, opts: PrivateFileOptions = {}): void {
  const mode = opts.mode ?? 0o600;
  const tmp = tempPathFor(file);
  let renamed = false;
  try {
    const fd = fs.openSync(tmp, CREATE_NEW, mode);
    try {
      fs.fchmodSync(fd, mode);
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    renamed = true;
    const dfd = fs.openSync(path.dirname(file), 'r');
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
