// The key that signs saved plans: .mfile/plan.key, 32 random bytes, 0600, made on the first `plan --out`.
// Someone who can edit a plan file but not the state folder cannot make a plan this project will apply.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { StateError } from '../errors.js';

const KEY_BYTES = 32;

export function planKeyPath(stateDir: string): string {
  return path.join(stateDir, 'plan.key');
}

/** The key, or null when the folder has none. Refuses a key another user could have written or read. */
export async function readPlanKey(stateDir: string): Promise<Buffer | null> {
  const file = planKeyPath(stateDir);
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw new StateError(`plan key ${file} is a symbolic link; refusing to use it`);
    throw new StateError(`cannot read plan key ${file}: ${(err as Error).message}`);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new StateError(`plan key ${file} is not a regular file`);
    // A key in a folder someone else controls would let them sign plans (a plan names its config, and so its
    // .mfile folder): only a key of this user, readable by no one else, is trusted.
    const uid = process.getuid?.();
    if (uid !== undefined && st.uid !== uid) throw new StateError(`plan key ${file} belongs to another user (uid ${st.uid}); refusing to trust it`);
    if ((st.mode & 0o077) !== 0) throw new StateError(`plan key ${file} is readable or writable by others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`);
    const key = await fh.readFile();
    if (key.length !== KEY_BYTES) throw new StateError(`plan key ${file} is damaged (${key.length} bytes, expected ${KEY_BYTES})`);
    return key;
  } finally {
    await fh.close();
  }
}

/** The key, made first when the folder has none (concurrent makers end up with one key). */
export async function ensurePlanKey(stateDir: string): Promise<Buffer> {
  const existing = await readPlanKey(stateDir);
  if (existing) return existing;
  await fsp.mkdir(stateDir, { recursive: true, mode: 0o700 });
  const file = planKeyPath(stateDir);
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await fsp.writeFile(tmp, randomBytes(KEY_BYTES), { flag: 'wx', mode: 0o600 });
    await fsp.chmod(tmp, 0o600);
    // link() never replaces or follows what is at `file`: the whole key appears at once, or another's stays.
    await fsp.link(tmp, file).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  } catch (err) {
    throw new StateError(`cannot write plan key ${file}: ${(err as Error).message}`);
  } finally {
    await fsp.rm(tmp, { force: true });
  }
  const key = await readPlanKey(stateDir);
  if (!key) throw new StateError(`plan key ${file} vanished while it was made`);
  return key;
}
