// The built CLI run without blocking this process: the fake EC2 answers from the test's own event loop, so a
// spawnSync would wait for an answer that can never come.
import { spawn, type ChildProcess } from 'node:child_process';
import { MFILE_BIN } from '../../helpers/cli.js';

export interface AsyncRun {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

export function mfileAsync(args: string[], cwd: string, env: Record<string, string>): AsyncRun {
  const child = spawn(process.execPath, [MFILE_BIN, ...args], { cwd, env: { ...process.env, CI: 'true', NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}
