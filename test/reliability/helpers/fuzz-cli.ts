// Runs the built CLI with a hang guard (killed when it passes) and checks what a user would see. The time bound is
// on the CPU the run used (user + system, read by the shell's `times`), which other work on the box does not
// inflate; wall time only decides when a run is called hung.
import { spawn } from 'node:child_process';
import { MFILE_BIN } from '../../helpers/cli.js';

export interface TimedRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** CPU time of the CLI process (user + system), or undefined when it was killed. */
  cpuMs?: number;
  killed: boolean;
}

/** Wall time after which a run is called hung: many times the CPU bound, so a busy box never reaches it. */
export const hangGuardMs = (cpuBoundMs: number): number => cpuBoundMs * 12;

// `times` prints the shell's own times, then its children's: "0m1.250000s 0m0.120000s" (dash).
function childCpuMs(times: string): number | undefined {
  const line = times.trim().split('\n')[1];
  const m = line?.match(/^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/);
  if (!m) return undefined;
  return (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000;
}

export function runCli(args: string[], cwd: string, hangMs: number, env: NodeJS.ProcessEnv = {}): Promise<TimedRun> {
  const t0 = performance.now();
  // sh runs the CLI as its only child, then reports its children's CPU on fd 3 and exits with the CLI's code.
  const script = '"$@"; c=$?; times >&3; exit $c';
  const child = spawn('sh', ['-c', script, 'sh', process.execPath, MFILE_BIN, ...args], {
    cwd,
    env: { ...process.env, CI: 'true', NO_COLOR: '1', MFILE_DEBUG: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    detached: true, // its own process group, so the hang guard ends the CLI too
  });
  let stdout = '';
  let stderr = '';
  let times = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  (child.stdio[3] as NodeJS.ReadableStream).setEncoding('utf8').on('data', (d: string) => (times += d));
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    // The shell's process group holds only the shell and the CLI it started; this test made both.
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  }, hangMs);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - t0, cpuMs: killed ? undefined : childCpuMs(times), killed });
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
export function outputProblems(r: TimedRun, file: string, cpuBoundMs: number): string[] {
  const out: string[] = [];
  if (r.killed) out.push(`hung: no answer after ${Math.round(r.ms)} ms of wall time`);
  else if (r.cpuMs === undefined) out.push('its CPU time could not be read');
  else if (r.cpuMs >= cpuBoundMs) out.push(`used ${Math.round(r.cpuMs)} ms of CPU (bound ${cpuBoundMs} ms; wall ${Math.round(r.ms)} ms)`);
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
