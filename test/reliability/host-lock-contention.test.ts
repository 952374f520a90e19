// The sandbox-wide host lock under contention: many real processes (the built module) race for one lock file
// that a dead (or zombie) owner left behind. Each holder writes enter/leave lines to one O_APPEND log; the log
// must never show two holders inside at once. And a holder whose lock was taken over must not remove the new one.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { ensureCliBuilt } from './helpers/cli-process.js';

const MODULE = pathToFileURL(path.join(REPO_ROOT, 'dist/drivers/sandbox/host-lock.js')).href;
const RACERS = 12;
const HOLDS = 5;

/** One contender: says "ready", waits for "go" on stdin, then takes the lock HOLDS times, logging enter/leave. */
const RACER = `
import { withLockFile } from ${JSON.stringify(MODULE)};
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
const { LOCK, LOG, HOLDS } = process.env;
process.stdout.write('ready\\n');
process.stdin.once('data', async () => {
  for (let i = 0; i < Number(HOLDS); i++) {
    await withLockFile(LOCK, async () => {
      appendFileSync(LOG, 'enter ' + process.pid + '\\n');
      await sleep(2); // hold it a moment, so an intruder would be caught inside
      appendFileSync(LOG, 'leave ' + process.pid + '\\n');
    });
  }
  process.stdin.destroy();
});
`;

/** Takes the lock once, says "in", and releases when told to on stdin. */
const HOLDER = `
import { withLockFile } from ${JSON.stringify(MODULE)};
await withLockFile(process.env.LOCK, () => new Promise((resolve) => {
  process.stdin.once('data', () => { process.stdin.destroy(); resolve(); });
  process.stdout.write('in\\n');
}));
`;

interface Child {
  child: ChildProcess;
  /** Resolves with the first line the child prints. */
  firstLine: Promise<string>;
  exited: Promise<{ code: number | null; stderr: string }>;
}

const children: ChildProcess[] = [];

function startModule(script: string, env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const firstLine = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    child.once('close', () => reject(new Error(`child ended before saying anything: ${stderr}`)));
  });
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.once('close', (code) => resolve({ code, stderr })));
  return { child, firstLine, exited };
}

/** A pid that was just in use and is gone now. */
async function deadPid(): Promise<number> {
  const c = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((r) => c.once('close', r));
  return c.pid!;
}

/**
 * A zombie: perl forks a child that exits at once and never reaps it (no wait, no SIGCHLD handler), so the child
 * stays a zombie until the parent ends. (A shell may reap a background job before it execs, so it cannot be used.)
 */
async function zombiePid(): Promise<{ pid: number; parent: ChildProcess }> {
  const parent = spawn('perl', ['-e', '$| = 1; my $p = fork(); if ($p == 0) { exit 0 } print "$p\\n"; sleep 600'], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(parent);
  const pid = Number(await new Promise<string>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()))));
  // Wait for the child to have exited (state Z); it exits at once, so this loop ends after a turn or two.
  for (;;) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/^\d+ \(.*\) Z /.test(stat)) return { pid, parent };
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The holders' log, checked line by line: every enter is followed by the same pid's leave before any other enter. */
function overlaps(log: string): string[] {
  const bad: string[] = [];
  let inside: string | undefined;
  for (const [n, line] of log.trim().split('\n').entries()) {
    const [what, pid] = line.split(' ');
    if (what === 'enter') {
      if (inside !== undefined) bad.push(`line ${n + 1}: ${pid} entered while ${inside} was inside`);
      inside = pid;
    } else {
      if (inside !== pid) bad.push(`line ${n + 1}: ${pid} left but ${inside ?? 'nobody'} was inside`);
      inside = undefined;
    }
  }
  return bad;
}

let dir: string;

beforeAll(() => {
  ensureCliBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'mfile-host-lock-'));
}, 300_000);

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function race(label: string, stalePid: number): Promise<void> {
  const lock = path.join(dir, label, 'lock');
  const log = path.join(dir, `${label}.log`);
  mkdirSync(path.dirname(lock), { recursive: true });
  writeFileSync(lock, String(stalePid)); // what a holder that died left behind
  writeFileSync(log, '');
  const racers = Array.from({ length: RACERS }, () => startModule(RACER, { LOCK: lock, LOG: log, HOLDS: String(HOLDS) }));
  await Promise.all(racers.map((r) => r.firstLine));
  for (const r of racers) r.child.stdin!.write('go\n');
  const results = await Promise.all(racers.map((r) => r.exited));
  for (const r of results) expect(r.code, r.stderr).toBe(0);
  const text = readFileSync(log, 'utf8');
  expect(overlaps(text)).toEqual([]);
  expect(text.trim().split('\n').filter((l) => l.startsWith('enter')).length).toBe(RACERS * HOLDS);
}

describe('sandbox host lock', () => {
  it(`${RACERS} processes racing for a lock left by a dead pid: never two holders inside`, async () => {
    // A few rounds: a broken takeover lets two in only when the racers' steps interleave just so.
    for (let round = 0; round < 3; round++) await race(`dead${round}`, await deadPid());
  }, 300_000);

  it(`${RACERS} processes racing for a lock left by a zombie: it counts as gone, never two holders inside`, async () => {
    const z = await zombiePid();
    await race('zombie', z.pid);
    z.parent.kill('SIGKILL');
  }, 180_000);

  it("a holder whose lock was taken over does not remove the new holder's lock on release", async () => {
    const lock = path.join(dir, 'takeover', 'lock');
    const holder = startModule(HOLDER, { LOCK: lock });
    expect(await holder.firstLine).toBe('in');
    // Someone else holds it now (as after a takeover): a lock naming this live test process, placed whole.
    const other = `${process.pid} 00000000-0000-4000-8000-000000000000\n`;
    writeFileSync(`${lock}.new`, other);
    renameSync(`${lock}.new`, lock);
    holder.child.stdin!.write('done\n');
    const r = await holder.exited;
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(lock, 'utf8')).toBe(other);
  }, 60_000);
});
