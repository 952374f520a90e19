// The terminal view as a user sees it: the built CLI runs `mfile apply -y` in a real pseudo-terminal (a tmux pane
// of fixed size) against the controller's engine, with an image built at apply (its address holds a '/'), and the
// test reads the final screen. Before the fix the image step showed as "↓ ... not run" although it had run, and
// the steps were listed by address (the container before its machine).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CALL_TIMEOUT_MS } from '../../src/apply/steps/common.js';
import { ensureBuilt, MFILE_BIN, mfile } from '../helpers/cli.js';
import { cleanupProject, ensureTestImages, TEST_IMAGE } from '../helpers/image.js';
import { describeNeeding, TMUX } from '../helpers/prerequisites.js';

const project = `mftty${process.pid}`;
const image = `mfile-test/tty-${process.pid}:1`;
// A private tmux server and a session of our own: nothing else's terminal is touched, and both go by name.
const socket = `mfile-tty-${process.pid}`;
const session = `mfile-tty-${process.pid}`;
const END = 'MFILE-EXIT=';
// The apply runs refresh, machine, image and container one after another; the product cuts each engine call at
// CALL_TIMEOUT_MS, so a run still going after one such bound per step has hung (the build here is a COPY of one file).
const BOUND_MS = 4 * CALL_TIMEOUT_MS;

const dir = mkdtempSync(path.join(tmpdir(), 'mfile-tty-'));
const file = path.join(dir, 'machines.yml');

const tmux = (...args: string[]): { code: number | null; out: string } => {
  const r = spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
};
const screen = (): string => tmux('capture-pane', '-p', '-t', session).out;

async function finalScreen(): Promise<string> {
  const until = Date.now() + BOUND_MS;
  let shown = screen();
  while (!shown.includes(END)) {
    if (Date.now() > until) throw new Error(`no ${END} after ${BOUND_MS} ms; the screen:\n${shown}`);
    await delay(100);
    shown = screen();
  }
  return shown;
}

describeNeeding([TMUX])('mfile apply in a real terminal', () => {
  let shown = '';

  beforeAll(async () => {
    ensureTestImages();
    ensureBuilt();
    mkdirSync(path.join(dir, 'app'));
    writeFileSync(path.join(dir, 'app', 'Dockerfile'), `FROM ${TEST_IMAGE}\nCOPY hello.txt /hello.txt\n`);
    writeFileSync(path.join(dir, 'app', 'hello.txt'), 'hello\n');
    writeFileSync(
      file,
      `version: 1\nproject: ${project}\nmachines:\n  m1: { driver: local }\ncontainers:\n  app:\n    machine: m1\n    image: ${image}\n    build: { context: ./app }\n    pull_policy: build\n    command: ["sleep", "600"]\n    network_mode: none\n    init: true\n`,
    );
    // CI would pick plain lines; the pane is the terminal. `read` keeps the pane, and its screen, until the kill.
    const script = `cd "$1" && env -u CI -u NO_COLOR "$2" "$3" apply -f machines.yml -y; echo "${END}$?"; read _`;
    const started = tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '40', 'sh', '-c', script, 'sh', dir, process.execPath, MFILE_BIN);
    expect(started.code, started.out).toBe(0);
    shown = await finalScreen();
  }, BOUND_MS + 60_000);

  afterAll(() => {
    tmux('kill-session', '-t', session);
    mfile(['destroy', '-f', file, '-y']);
    cleanupProject(project);
    spawnSync('docker', ['rmi', '-f', image], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  });

  it('ends with every step shown done under its machine, and the summary', () => {
    const lines = shown.split('\n').map((l) => l.trimEnd());
    expect(lines, shown).toContain('✔ machine m1');
    expect(lines.some((l) => /^ {2}✔ machine\.m1 created: engine .+ \(\d+\.\ds\)$/.test(l)), shown).toBe(true);
    expect(lines.some((l) => l.startsWith(`  ✔ image.${image}[m1] built (`)), shown).toBe(true);
    expect(lines.some((l) => /^ {2}✔ container\.app\[m1\] created \(\d+\.\ds\)$/.test(l)), shown).toBe(true);
    expect(lines, shown).toContain('Apply complete! Resources: 3 added, 0 changed, 0 destroyed.');
    expect(lines, shown).toContain(`${END}0`);
  });

  it('lists the steps in the order they run: the machine, then its image, then the container', () => {
    const lines = shown.split('\n').map((l) => l.trimEnd());
    const at = (prefix: string): number => lines.findIndex((l) => l.startsWith(prefix));
    const steps = [at('  ✔ machine.m1 '), at(`  ✔ image.${image}[m1] `), at('  ✔ container.app[m1] ')];
    expect(steps.every((i) => i > 0), shown).toBe(true);
    expect([...steps].sort((a, b) => a - b), shown).toEqual(steps);
  });

  it('shows no step as not run, and no title left over from while it ran', () => {
    expect(shown).not.toContain('not run');
    expect(shown).not.toContain('waiting');
    expect(shown).not.toContain('…');
  });
});
