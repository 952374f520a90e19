// `mfile plan | slow-reader`: a plan of a few MB reaches a reader that takes its time, whole, and the exit code
// still says what the plan found. (Exiting before stdout drained once cut it at the pipe's 64 KiB buffer.)
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { CLI_BIN, ensureCliBuilt } from './helpers/cli-process.js';
import { projectDir } from './helpers/project.js';

const MACHINES = 60;
const CONTAINERS = 1500;

/**
 * A real second process on the other end of the pipe: it pauses after every read, so the writer meets a full
 * pipe many times over. It echoes what it read once the pipe closes.
 */
const SLOW_READER = `
const chunks = [];
process.stdin.on('data', (c) => {
  chunks.push(c);
  process.stdin.pause();
  setTimeout(() => process.stdin.resume(), 5);
});
process.stdin.on('end', () => process.stdout.write(Buffer.concat(chunks)));
`;

interface PipedRun {
  code: number | null;
  /** What the reader received. */
  received: string;
  stderr: string;
}

/** Runs the CLI with its stdout connected straight (one OS pipe, no relay through this process) to the reader. */
function planThroughSlowReader(args: string[], cwd: string): Promise<PipedRun> {
  const reader = spawn(process.execPath, ['-e', SLOW_READER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const cli = spawn(process.execPath, [CLI_BIN, ...args], {
    cwd,
    env: { ...process.env, CI: 'true', NO_COLOR: '1' },
    stdio: ['ignore', reader.stdin!, 'pipe'],
  });
  // The CLI holds its own copy of the pipe's write end; ours must go, or the reader never sees the end.
  reader.stdin!.destroy();
  let received = '';
  let stderr = '';
  reader.stdout!.on('data', (d: Buffer) => (received += d.toString()));
  cli.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const cliDone = new Promise<number | null>((resolve, reject) => {
    cli.once('error', reject);
    cli.once('close', (code) => resolve(code));
  });
  const readerDone = new Promise<void>((resolve, reject) => {
    reader.once('error', reject);
    reader.once('close', () => resolve());
  });
  return Promise.all([cliDone, readerDone]).then(([code]) => ({ code, received, stderr }));
}

describe('a large plan through a pipe to a slow reader', () => {
  const p = projectDir('pipe');

  beforeAll(async () => {
    ensureCliBuilt();
    // A variable specifier: the bench generator is plain JavaScript, typed here by what the test uses.
    const generator = path.join(REPO_ROOT, 'bench/plan/generate.mjs');
    const { generateYaml } = (await import(generator)) as { generateYaml(o: { machines: number; containers: number }): string };
    p.write(generateYaml({ machines: MACHINES, containers: CONTAINERS }));
  }, 120_000);

  afterAll(() => rmSync(p.dir, { recursive: true, force: true }));

  it('arrives whole as JSON, and --detailed-exitcode still returns 2', async () => {
    const r = await planThroughSlowReader(['plan', '--refresh=false', '--json', '--detailed-exitcode', '-f', p.file], p.dir);
    expect(r.code, r.stderr).toBe(2);
    expect(r.received.length).toBeGreaterThan(500_000);
    let plan: { nodes?: { address: string }[] } | undefined;
    expect(() => (plan = JSON.parse(r.received) as typeof plan), `received ${r.received.length} bytes, ending ${JSON.stringify(r.received.slice(-80))}`).not.toThrow();
    const addresses = new Set(plan!.nodes!.map((n) => n.address));
    expect(addresses.has(`machine.m${MACHINES - 1}`)).toBe(true);
    expect(addresses.has(`container.c${CONTAINERS - 1}[m${(CONTAINERS - 1) % MACHINES}]`)).toBe(true);
  }, 300_000);

  it('arrives whole as text, ending with the Plan: line', async () => {
    const r = await planThroughSlowReader(['plan', '--refresh=false', '-f', p.file], p.dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.received.length).toBeGreaterThan(500_000);
    const lines = r.received.trimEnd().split('\n');
    expect(lines.at(-1), `received ${r.received.length} bytes`).toMatch(/^Plan: \d+ to add, 0 to change, 0 to destroy\.$/);
  }, 300_000);
});
