// Runs the built CLI as separate processes: async, so a test can watch, signal or race several at once.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ensureBuilt, MFILE_BIN, REPO_ROOT } from '../../helpers/cli.js';

/** MFILE_RELIABILITY_BIN runs the suite against another build (e.g. a patched copy) without touching dist/. */
export const CLI_BIN = process.env.MFILE_RELIABILITY_BIN ?? MFILE_BIN;

/** Builds dist/ when src/ is newer; tsc still emits when files owned by others have type errors, so go on then. */
export function ensureCliBuilt(): void {
  if (process.env.MFILE_RELIABILITY_BIN) return;
  try {
    ensureBuilt();
  } catch {
    // type errors elsewhere in the tree: tsc emitted anyway; the check below says if it did not
  }
  if (!existsSync(path.join(REPO_ROOT, 'dist/bundle/main.js'))) throw new Error('dist/bundle/main.js missing: run npm run build');
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  ms: number;
  /** Date.now() at exit, to order processes. */
  endedAt: number;
}

const cliEnv = (env?: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ ...process.env, CI: 'true', NO_COLOR: '1', ...env });

export interface CliProcess {
  child: ChildProcess;
  pid: number;
  startedAt: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<CliResult>;
  /** Resolves with the first output line matching `re`; rejects after timeoutMs or when the process ends first. */
  waitForLine(re: RegExp, timeoutMs: number): Promise<string>;
}

export function startCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliProcess {
  const startedAt = Date.now();
  const child = spawn(process.execPath, [CLI_BIN, ...args], { cwd: opts.cwd ?? REPO_ROOT, env: cliEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const watchers = new Set<() => void>();
  const poke = (): void => watchers.forEach((w) => w());
  child.stdout!.on('data', (d: Buffer) => ((out += d.toString()), poke()));
  child.stderr!.on('data', (d: Buffer) => ((err += d.toString()), poke()));
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const endedAt = Date.now();
      poke();
      resolve({ code, signal, stdout: out, stderr: err, ms: endedAt - startedAt, endedAt });
    });
  });
  let done = false;
  void exited.then(() => (done = true), () => (done = true));
  return {
    child,
    pid: child.pid!,
    startedAt,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForLine(re, timeoutMs) {
      return new Promise<string>((resolve, reject) => {
        const check = (): void => {
          const line = (out + err).split('\n').find((l) => re.test(l));
          if (line !== undefined) finish(() => resolve(line));
          else if (done) finish(() => reject(new Error(`process ended before a line matched ${re}:\n${out}\n${err}`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`no line matched ${re} within ${timeoutMs} ms:\n${out}\n${err}`))), timeoutMs);
        const finish = (f: () => void): void => {
          clearTimeout(timer);
          watchers.delete(check);
          f();
        };
        watchers.add(check);
        check();
      });
    },
  };
}

export function runCliAsync(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  const p = startCli(args, opts);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), opts.timeoutMs ?? 180_000);
  return p.exited.finally(() => clearTimeout(timer));
}

export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): CliResult {
  const startedAt = Date.now();
  const r = spawnSync(process.execPath, [CLI_BIN, ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: cliEnv(opts.env),
    input: '',
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 180_000,
    killSignal: 'SIGKILL',
  });
  const endedAt = Date.now();
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: endedAt - startedAt, endedAt };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
