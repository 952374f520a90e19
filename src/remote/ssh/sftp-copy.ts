// `mfile scp` over the machine's SFTP channel: files and, with recursive, folders, in either direction.
// Like scp: a destination that is an existing folder receives the source under its own name.
import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { SFTPWrapper, Stats } from 'ssh2';
import { DriverError } from '../../errors.js';

export interface CopyRequest {
  machine: string;
  sftp: SFTPWrapper;
  source: string;
  destination: string;
  recursive: boolean;
}

const call = <T>(machine: string, what: string, f: (cb: (err: Error | null | undefined, v: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => f((err, v) => (err ? reject(new DriverError(machine, `${what}: ${err.message}`)) : resolve(v))));

async function remoteStat(sftp: SFTPWrapper, p: string): Promise<Stats | undefined> {
  return new Promise((resolve) => sftp.stat(p, (err, s) => resolve(err ? undefined : s)));
}

async function localStat(p: string): Promise<import('node:fs').Stats | undefined> {
  return stat(p).catch(() => undefined);
}

function join(remote: string, name: string): string {
  return remote.endsWith('/') ? remote + name : `${remote}/${name}`;
}

export async function upload(r: CopyRequest): Promise<void> {
  const src = await localStat(r.source);
  if (!src) throw new DriverError(r.machine, `${r.source}: no such file or folder`);
  if (src.isDirectory() && !r.recursive) throw new DriverError(r.machine, `${r.source} is a folder: use -r`);
  const dst = await remoteStat(r.sftp, r.destination);
  const target = dst?.isDirectory() ? join(r.destination, path.basename(path.resolve(r.source))) : r.destination;
  await put(r, r.source, target, src.isDirectory());
}

async function put(r: CopyRequest, local: string, remote: string, isDir: boolean): Promise<void> {
  if (!isDir) {
    const mode = (await stat(local)).mode & 0o777;
    await call<void>(r.machine, `upload ${remote}`, (cb) => r.sftp.fastPut(local, remote, { mode }, (e) => cb(e, undefined)));
    return;
  }
  if (!(await remoteStat(r.sftp, remote))?.isDirectory()) {
    await call<void>(r.machine, `mkdir ${remote}`, (cb) => r.sftp.mkdir(remote, (e) => cb(e, undefined)));
  }
  for (const e of await readdir(local, { withFileTypes: true })) {
    // Symbolic links and special files are not followed or copied (scp -r would follow a link out of the folder).
    if (!e.isFile() && !e.isDirectory()) continue;
    await put(r, path.join(local, e.name), join(remote, e.name), e.isDirectory());
  }
}

export async function download(r: CopyRequest): Promise<void> {
  const src = await remoteStat(r.sftp, r.source);
  if (!src) throw new DriverError(r.machine, `${r.source}: no such file or folder on the machine`);
  if (src.isDirectory() && !r.recursive) throw new DriverError(r.machine, `${r.source} is a folder: use -r`);
  const dst = await localStat(r.destination);
  const target = dst?.isDirectory() ? path.join(r.destination, path.posix.basename(r.source.replace(/\/+$/, '')) || 'root') : r.destination;
  await get(r, r.source, target, src.isDirectory());
}

async function get(r: CopyRequest, remote: string, local: string, isDir: boolean): Promise<void> {
  if (!isDir) {
    await call<void>(r.machine, `download ${remote}`, (cb) => r.sftp.fastGet(remote, local, (e) => cb(e, undefined)));
    return;
  }
  await mkdir(local, { recursive: true });
  const entries = await call<{ filename: string; attrs: Stats }[]>(r.machine, `list ${remote}`, (cb) => r.sftp.readdir(remote, cb));
  for (const e of entries) {
    if (e.filename === '.' || e.filename === '..') continue;
    if (!e.attrs.isFile() && !e.attrs.isDirectory()) continue;
    await get(r, join(remote, e.filename), path.join(local, e.filename), e.attrs.isDirectory());
  }
}
