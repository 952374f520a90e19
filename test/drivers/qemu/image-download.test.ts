// The image download path against a local HTTP server: resumed after a connection cut midway, verified by
// checksum, renamed into the cache only when it matches; a wrong checksum or a server that keeps failing gives
// a named one-line error and never leaves a file that a later run would take for the image.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cachedImage, imageCacheDir, localImage } from '../../../src/drivers/qemu/image-cache.js';

const BODY = Buffer.alloc(256 * 1024, 0);
for (let i = 0; i < BODY.length; i++) BODY[i] = (i * 7) & 0xff;
const SHA256 = createHash('sha256').update(BODY).digest('hex');

let server: Server;
let base: string;
let dir: string;
let requests: { range?: string }[];
let behave: (req: IncomingMessage, res: ServerResponse, n: number) => void;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mfile-imgcache-'));
  requests = [];
  server = createServer((req, res) => {
    requests.push({ range: req.headers.range });
    behave(req, res, requests.length);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address() as { port: number };
  base = `http://127.0.0.1:${a.port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

/** Serves BODY, honouring Range; the first `cuts` responses stop after half of what they promised. */
function serve(cuts: number) {
  return (req: IncomingMessage, res: ServerResponse, n: number) => {
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const from = m ? Number(m[1]) : 0;
    const part = BODY.subarray(from);
    res.writeHead(m ? 206 : 200, { 'content-length': part.length, ...(m ? { 'content-range': `bytes ${from}-${BODY.length - 1}/${BODY.length}` } : {}) });
    if (n <= cuts) {
      // Cut once the half is handed to the kernel, so the client has something to resume from.
      res.write(part.subarray(0, Math.floor(part.length / 2)), () => res.socket?.end());
    } else res.end(part);
  };
}

const fast = { attempts: 3, retryDelayMs: 1 };

describe('image cache download', () => {
  it('resumes a download cut midway with a Range request and caches the verified image', async () => {
    behave = serve(1);
    const lines: string[] = [];
    const path = await cachedImage({ machine: 'vm1', url: `${base}/debian.qcow2`, checksum: { algorithm: 'sha256', hex: SHA256 }, cacheDir: dir, download: fast, log: (l) => lines.push(l) });
    expect(readFileSync(path).equals(BODY)).toBe(true);
    // The second request asks only for what the first did not deliver.
    expect(requests.length).toBe(2);
    expect(requests[0].range).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(requests[1].range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(BODY.length / 2);
    expect(readdirSync(dir)).toEqual([path.slice(dir.length + 1)]);
    expect(lines.some((l) => l.includes('attempt 1 failed'))).toBe(true);
    // Cached: a second machine does not download again.
    await cachedImage({ machine: 'vm2', url: `${base}/debian.qcow2`, checksum: { algorithm: 'sha256', hex: SHA256 }, cacheDir: dir, download: fast });
    expect(requests.length).toBe(2);
  });

  it('refuses an image whose checksum differs, and leaves nothing to be taken for it later', async () => {
    behave = serve(0);
    const wrong = 'cd'.repeat(32);
    await expect(
      cachedImage({ machine: 'vm1', url: `${base}/d.qcow2`, checksum: { algorithm: 'sha256', hex: wrong }, cacheDir: dir, download: fast }),
    ).rejects.toThrow(`vm1: wrong checksum for ${base}/d.qcow2: expected sha256:${wrong}, got sha256:${SHA256}`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('names the failure after the last attempt and keeps only the .part file', async () => {
    behave = serve(99);
    await expect(
      cachedImage({ machine: 'vm1', url: `${base}/d.qcow2`, checksum: { algorithm: 'sha256', hex: SHA256 }, cacheDir: dir, download: fast }),
    ).rejects.toThrow(`vm1: download of ${base}/d.qcow2 failed after 3 attempts:`);
    expect(readdirSync(dir).every((f) => f.endsWith('.part'))).toBe(true);
  });

  it('reports an HTTP error status', async () => {
    behave = (_q, res) => res.writeHead(404).end();
    await expect(
      cachedImage({ machine: 'vm1', url: `${base}/missing.qcow2`, checksum: { algorithm: 'sha256', hex: SHA256 }, cacheDir: dir, download: fast }),
    ).rejects.toThrow(/failed after 3 attempts: HTTP 404/);
  });

  it('sits under XDG_CACHE_HOME when set, else ~/.cache', () => {
    expect(imageCacheDir({ XDG_CACHE_HOME: '/x/cache' })).toBe('/x/cache/mfile/images');
    expect(imageCacheDir({ HOME: '/h' })).toMatch(/\/\.cache\/mfile\/images$/);
  });

  it('checks a local image exists and matches its checksum', async () => {
    const f = join(dir, 'local.img');
    await expect(localImage('vm1', f, undefined)).rejects.toThrow(`vm1: qemu.image ${f}: no such file`);
    writeFileSync(f, BODY);
    await expect(localImage('vm1', f, { algorithm: 'sha256', hex: SHA256 })).resolves.toBe(f);
    await expect(localImage('vm1', f, { algorithm: 'sha256', hex: '0'.repeat(64) })).rejects.toThrow('vm1: wrong checksum');
    expect(existsSync(f)).toBe(true); // a path image is never removed
  });
});
