// `prism proxy SPEC UPSTREAM --errors` in front of a fake cloud: every request is checked against the vendor's
// API description (a bad one gets 422 and never reaches the fake) and so is every answer of the fake (a bad
// one comes back as 500). Started once per test file; it takes a few seconds.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

export interface Prism {
  url: string;
  /** Prism's output so far (its validation messages), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export const SPECS = join(REPO_ROOT, 'test/contracts/specs');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startPrism(spec: string, upstream: string): Promise<Prism> {
  const port = await freePort();
  const child: ChildProcess = spawn(join(REPO_ROOT, 'node_modules/.bin/prism'), ['proxy', spec, upstream, '-p', String(port), '-h', '127.0.0.1', '--errors'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (out.includes('Prism is listening')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`prism exited (${code}) before listening:\n${out.slice(-2000)}`)));
  });
  await ready;
  return {
    url: `http://127.0.0.1:${port}`,
    log: () => out,
    stop: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    },
  };
}
