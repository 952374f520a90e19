// Runs the built CLI with a hard deadline (killed when it passes) and checks what a user would see.
import { spawn } from 'node:child_process';
import { MFILE_BIN } from '../../helpers/cli.js';

export interface TimedRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  killed: boolean;
}

export function runCli(args: string[], cwd: string, deadlineMs: number, env: NodeJS.ProcessEnv = {}): Promise<TimedRun> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [MFILE_BIN, ...args], {
    cwd,
    env: { ...process.env, CI: 'true', NO_COLOR: '1', MFILE_DEBUG: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL'); // only this child, by its handle
  }, deadlineMs);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - t0, killed });
    });
  });
}

/** Runs `jobs` with at most `limit` at a time, keeping their order in the result. */
export async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array<T>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return out;
}

const ISSUE_LINE = (file: string): RegExp => new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:[1-9][0-9]*:[1-9][0-9]*: \\S.*$`);

/** What is wrong with the output of a validate or plan run on config `file` (as passed to -f). */
export function outputProblems(r: TimedRun, file: string, deadlineMs: number): string[] {
  const out: string[] = [];
  if (r.killed || r.ms >= deadlineMs) out.push(`did not finish within ${deadlineMs} ms (${Math.round(r.ms)} ms)`);
  if (r.code !== 0 && r.code !== 1) out.push(`exit code ${String(r.code)} (signal ${String(r.signal)})`);
  const both = r.stdout + r.stderr;
  if (/\n\s+at /.test(both)) out.push('printed a stack trace');
  if (/internal error/.test(both)) out.push(`internal error: ${r.stderr.slice(0, 300)}`);
  // Warnings (state folder not git-ignored) may come first; everything else is the error report.
  const lines = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('Warning: '));
  if (r.code === 1) {
    const issueRe = ISSUE_LINE(file);
    const positioned = lines.length > 0 && lines.every((l) => issueRe.test(l));
    const single = lines.length === 1 && /^Error: \S/.test(lines[0]);
    if (!positioned && !single) out.push(`stderr is neither FILE:LINE:COL lines nor one Error: line: ${JSON.stringify(r.stderr.slice(0, 300))}`);
  } else if (r.code === 0 && lines.length) {
    out.push(`succeeded but wrote to stderr: ${JSON.stringify(r.stderr.slice(0, 300))}`);
  }
  return out;
}
