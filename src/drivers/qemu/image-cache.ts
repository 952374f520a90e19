// The per-user cache of downloaded base images ($XDG_CACHE_HOME/mfile/images, else ~/.cache/mfile/images),
// shared between projects. A file is named by its checksum, so a finished name is a verified image; downloads
// go to NAME.part (resumed across attempts and runs) under NAME.lock, and are renamed only after the checksum
// matched.
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { DriverError } from '../../errors.js';
import { hashFile, verifyFile, checksumText, type Checksum } from './checksum.js';
import { withLockFile } from '../lock-file.js';
import { downloadTo, type DownloadOptions } from './download.js';

export function imageCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.cache'), 'mfile', 'images');
}

/** Cache file name: the digest, then the URL's own file name (for the human reading the folder). */
export function cachedName(url: string, c: Checksum): string {
  let file = 'image';
  try {
    file = basename(new URL(url).pathname) || 'image';
  } catch {
    /* the schema let it through as a string; the name is only decoration */
  }
  return `${c.algorithm}-${c.hex.slice(0, 32)}-${file.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80)}`;
}

/** One download per cache file at a time in this process (two machines of one apply share an image). */
const inFlight = new Map<string, Promise<string>>();

export interface ImageRequest {
  machine: string;
  url: string;
  checksum: Checksum;
  log?: (line: string) => void;
  signal?: AbortSignal;
  download?: Partial<DownloadOptions>;
  cacheDir?: string;
}

/** The cached image's path, downloading it first when it is not in the cache yet. */
export function cachedImage(req: ImageRequest): Promise<string> {
  const dir = req.cacheDir ?? imageCacheDir();
  const final = join(dir, cachedName(req.url, req.checksum));
  const running = inFlight.get(final);
  if (running) return running;
  const p = fetchIntoCache(req, dir, final).finally(() => inFlight.delete(final));
  inFlight.set(final, p);
  return p;
}

/**
 * One download per cache file at a time across processes too: two mfiles appending to one .part would corrupt it
 * (and the first to finish would rename it while the other still writes). The second waits, then finds the image.
 */
async function fetchIntoCache(req: ImageRequest, dir: string, final: string): Promise<string> {
  if (existsSync(final)) return final;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return withLockFile(`${final}.lock`, () => downloadVerified(req, dir, final), {
    timeoutMs: Infinity, // the holder is downloading: its own attempts bound it
    pollMs: 250,
    signal: req.signal,
    onWait: (owner) => req.log?.(`${req.machine}: waiting for another mfile (${owner}) downloading the same image`),
  });
}

async function downloadVerified(req: ImageRequest, dir: string, final: string): Promise<string> {
  if (existsSync(final)) return final; // the process we waited for got it
  const part = `${final}.part`;
  req.log?.(`${req.machine}: downloading ${req.url} into ${dir}`);
  await downloadTo(req.machine, req.url, part, { ...req.download, log: req.log, signal: req.signal });
  try {
    await verifyFile(req.machine, part, req.checksum, req.url);
  } catch (e) {
    // A finished file with the wrong digest is never resumed: the next run downloads it afresh.
    await rm(part, { force: true });
    throw e;
  }
  await rename(part, final);
  req.log?.(`${req.machine}: image ${checksumText(req.checksum).slice(0, 19)}… verified (${(await stat(final)).size} bytes)`);
  return final;
}

/** A local image: it must exist, and match the checksum when one is given. */
export async function localImage(machine: string, path: string, checksum: Checksum | undefined): Promise<string> {
  try {
    if (!(await stat(path)).isFile()) throw new DriverError(machine, `qemu.image ${path} is not a file`);
  } catch (e) {
    if (e instanceof DriverError) throw e;
    throw new DriverError(machine, `qemu.image ${path}: no such file`);
  }
  if (checksum) await verifyFile(machine, path, checksum, path);
  return path;
}

export { hashFile };
