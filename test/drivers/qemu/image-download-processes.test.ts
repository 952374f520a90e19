// Two mfile processes fetching the same qemu image into the shared cache at once (two projects applied side by
// side): the .part file is theirs one at a time, so neither corrupts the other's download; the second waits for
// the first and takes the image it verified.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileModule, removeCompiledModule } from '../../helpers/compile-module.js';

const ENTRY = 'drivers/qemu/image-cache.ts';
const FIXTURE = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures/fetch-image.mjs');
const BODY = Buffer.alloc(512 * 1024);
for (let i = 0; i < BODY.length; i++) BODY[i] = (i * 13 + (i >> 9)) & 0xff;
const SHA256 = createHash('sha256').update(BODY).digest('hex');

interface Child {
  proc: ChildProcess;
  out: () => string;
  /** Resolves once stdout holds `text`. */
  seen: (text: string) => Promise<void>;
  result: Promise<{ ok: boolean; path?: string; message?: string }>;
}

function start(mod: string, url: string, dir: string, machine: string): Child {
  const proc = spawn(process.execPath, [FIXTURE, mod, url, SHA256, dir, machine], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.filter((x) => out.includes(x.text))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const seen = (text: string): Promise<void> => (out.includes(text) ? Promise.resolve() : new Promise((resolve) => waiters.push({ text, resolve })));
  const result = new Promise<{ ok: boolean; path?: string; message?: string }>((resolve, reject) =>
    proc.once('close', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (last.startsWith('{')) resolve(JSON.parse(last));
      else reject(new Error(`fetch-image exited ${code}: ${out}`));
    }),
  );
  return { proc, out: () => out, seen, result };
}

describe('two processes fetching the same image into the cache', () => {
  let mod = '';
  let dir = '';
  let server: Server;
  let url = '';
  let requests = 0;
  /** Responses that sent their first half and wait to finish. */
  const held: (() => void)[] = [];
  let released = false;
  const release = (): void => {
    released = true;
    held.splice(0).forEach((finish) => finish());
  };

  beforeAll(async () => {
    mod = compileModule(ENTRY);
    dir = mkdtempSync(join(tmpdir(), 'mfile-imgcache-procs-'));
    // Each response sends half the image, then the rest only once a second download has begun (the unsafe
    // case) or the test has seen the second process wait (the safe one): downloads overlap either way.
    server = createServer((_req, res: ServerResponse) => {
      requests++;
      res.writeHead(200, { 'content-length': BODY.length });
      res.write(BODY.subarray(0, BODY.length / 2));
      const finish = (): void => void res.end(BODY.subarray(BODY.length / 2));
      if (released) finish();
      else held.push(finish);
      if (requests >= 2) release();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/debian-12.qcow2`;
  }, 180_000);

  afterAll(async () => {
    release();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    removeCompiledModule(mod, ENTRY);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('one downloads, the other waits and takes the verified image; the cache holds it whole, once', async () => {
    const a = start(mod, url, dir, 'vm-a');
    const b = start(mod, url, dir, 'vm-b');
    await Promise.all([a.seen('ready'), b.seen('ready')]);
    for (const c of [a, b]) c.proc.stdin!.write('go\n');
    // The one that waits says so, naming the other: then the download may finish.
    void Promise.race([a.seen('waiting for another mfile'), b.seen('waiting for another mfile')]).then(release);
    const [ra, rb] = await Promise.all([a.result, b.result]);

    expect(ra, a.out()).toMatchObject({ ok: true });
    expect(rb, b.out()).toMatchObject({ ok: true });
    expect(ra.path).toBe(rb.path);
    expect(readFileSync(ra.path!).equals(BODY)).toBe(true);
    expect(readdirSync(dir)).toEqual([ra.path!.slice(dir.length + 1)]);
    expect(requests).toBe(1);
    const waited = [a, b].filter((c) => c.out().includes('waiting for another mfile'));
    expect(waited).toHaveLength(1);
    const other = waited[0] === a ? b : a;
    expect(waited[0].out()).toMatch(new RegExp(`waiting for another mfile \\(pid ${other.proc.pid}\\) downloading the same image`));
  }, 120_000);
});
