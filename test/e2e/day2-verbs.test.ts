// Compose's day-2 verbs as a user meets them: the built CLI against a local-driver project on the controller's
// engine. ps and top read the engine live; logs -f through a pipe whose reader stops reading; exec with a real
// terminal (a tmux pane) and without one; exit codes throughout.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureBuilt, MFILE_BIN, mfile } from '../helpers/cli.js';
import { cleanupProject, ensureTestImages, TEST_IMAGE } from '../helpers/image.js';
import { DOCKERD, describeNeeding, TMUX } from '../helpers/prerequisites.js';

const project = `mfd2${process.pid}`;
const PORT = 23000 + (process.pid % 900) * 3;
const LINES = 20_000;
const dir = mkdtempSync(path.join(tmpdir(), 'mfile-day2-'));
const run = (args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): { code: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [MFILE_BIN, ...args], { cwd: dir, encoding: 'utf8', input: opts.input ?? '', timeout: 120_000, env: { ...process.env, CI: 'true', NO_COLOR: '1', ...opts.env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

// A private tmux server and session, both by name: no other terminal is touched.
const socket = `mfile-day2-${process.pid}`;
const tmux = (...args: string[]): { code: number | null; out: string } => {
  const r = spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
};
const screen = (): string => tmux('capture-pane', '-p', '-t', socket).out;
/** Waits until the pane shows `text`; the bound only turns a hang into a failure that shows the screen. */
async function screenShows(text: string): Promise<string> {
  const until = Date.now() + 60_000;
  for (;;) {
    const shown = screen();
    if (shown.includes(text)) return shown;
    if (Date.now() > until) throw new Error(`the pane never showed ${JSON.stringify(text)}:\n${shown}`);
    await delay(100);
  }
}

describeNeeding([DOCKERD, TMUX])('day-2 verbs on a local machine', () => {
  beforeAll(() => {
    ensureTestImages();
    ensureBuilt();
    writeFileSync(
      path.join(dir, 'machines.yml'),
      `version: 1
project: ${project}
machines:
  m1: { driver: local }
containers:
  web:
    machine: m1
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "echo web up; echo web warns >&2; exec httpd -f -p 80 -h /www"]
    ports: ["127.0.0.1:${PORT}:80"]
    healthcheck: { test: ["CMD", "true"], interval: 300ms, retries: 20 }
    init: true
  burst:
    machine: m1
    image: ${TEST_IMAGE}
    # Waits for a go from the test, then writes many lines at once and exits.
    command: ["sh", "-c", "while [ ! -f /tmp/go ]; do sleep 0.1; done; i=0; while [ $$i -lt ${LINES} ]; do echo line $$i; i=$$((i+1)); done"]
    depends_on: { web: { condition: service_healthy } }
    init: true
`,
    );
    const applied = run(['apply', '-y']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
  }, 300_000);

  afterAll(() => {
    tmux('kill-server');
    run(['destroy', '-y']);
    cleanupProject(project);
    rmSync(dir, { recursive: true, force: true });
  });

  it('ps lists the containers live from the engine: name, machine, image, state, health, ports', () => {
    const r = run(['ps']);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => l.split(/\s{3,}/));
    expect(rows[0]).toEqual(['NAME', 'MACHINE', 'IMAGE', 'STATE', 'HEALTH', 'PORTS']);
    expect(rows.slice(1)).toEqual([
      ['burst', 'm1', TEST_IMAGE, 'running'],
      ['web', 'm1', TEST_IMAGE, 'running', 'healthy', `127.0.0.1:${PORT}->80/tcp`],
    ]);
    const json = JSON.parse(run(['ps', '--json', 'web']).stdout) as { name: string; health: string; ports: string[] }[];
    expect(json).toEqual([expect.objectContaining({ name: 'web', machine: 'm1', state: 'running', health: 'healthy', ports: [`127.0.0.1:${PORT}->80/tcp`] })]);
  });

  it('ps names a machine whose engine does not answer and exits 1', () => {
    const r = run(['ps'], { env: { DOCKER_HOST: 'tcp://127.0.0.1:1' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: machine m1 did not answer: .*ECONNREFUSED/m);
    expect(r.stdout.trim()).toMatch(/^NAME\s+MACHINE/);
  });

  it('logs names an unknown container with the ones found and exits 1', () => {
    const r = run(['logs', 'nope']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('Error: no container nope on the engines (found: burst[m1], web[m1])');
  });

  it('top shows each container\'s processes under its name[machine]', () => {
    const r = run(['top', 'web']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('web[m1]');
    expect(lines[1]).toMatch(/^UID\s+PID\s+PPID/);
    expect(lines.some((l) => l.endsWith('httpd -f -p 80 -h /www'))).toBe(true);
  });

  it('exec without a terminal streams stdin, stdout and stderr apart and exits with the command\'s code', () => {
    const r = run(['exec', 'web', '--', 'sh', '-c', 'cat; echo to-stderr >&2; exit 7'], { input: 'first\nsecond\n' });
    expect(r.code).toBe(7);
    expect(r.stdout).toBe('first\nsecond\n');
    expect(r.stderr).toBe('to-stderr\n');
  });

  it('exec in a terminal gives the shell a TTY and exits with its code', async () => {
    const script = `cd "$1" && env -u CI "$2" "$3" exec web; echo "MFILE-EXIT=$?"; read _`;
    const started = tmux('new-session', '-d', '-s', socket, '-x', '100', '-y', '30', 'sh', '-c', script, 'sh', dir, process.execPath, MFILE_BIN);
    expect(started.code, started.out).toBe(0);
    await screenShows('/ #'); // the prompt (capture-pane drops trailing spaces)
    tmux('send-keys', '-t', socket, 'test -t 0 && echo "IS-A-$((2*3))-TTY"', 'Enter');
    await screenShows('IS-A-6-TTY');
    tmux('send-keys', '-t', socket, 'exit 3', 'Enter');
    const shown = await screenShows('MFILE-EXIT=');
    expect(shown).toMatch(/^IS-A-6-TTY$/m);
    expect(shown).toMatch(/^MFILE-EXIT=3$/m);
  }, 120_000);

  it('logs -f through a pipe that stops reading loses no line and ends when the container stops', async () => {
    const child = spawn(process.execPath, [MFILE_BIN, 'logs', '-f', 'burst'], { cwd: dir, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.pause(); // the reader stops: the pipe fills long before the burst is through
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    expect(run(['exec', 'burst', '--', 'touch', '/tmp/go']).code).toBe(0);
    execFileSync('docker', ['wait', `${project}-burst`]);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stdout.resume();
    expect(await exited, err).toBe(0);
    const expected = Array.from({ length: LINES }, (_, i) => `burst[m1] | line ${i}`);
    expect(out.split('\n').slice(0, -1)).toEqual(expected);
  }, 120_000);

  it('logs merges stdout and stderr with the prefix, honours --tail, and -f stops with 130 on Ctrl-C', async () => {
    const all = run(['logs']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout.split('\n').filter((l) => l.startsWith('web[m1]')).sort()).toEqual(['web[m1]   | web up', 'web[m1]   | web warns']);
    expect(run(['logs', '--tail', '2', 'burst']).stdout).toBe(`burst[m1] | line ${LINES - 2}\nburst[m1] | line ${LINES - 1}\n`);

    const child = spawn(process.execPath, [MFILE_BIN, 'logs', '-f', 'web'], { cwd: dir, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const firstLine = new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => ((out += d.toString()), out.includes('web up') && resolve())));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await firstLine;
    child.kill('SIGINT');
    expect(await exited).toBe(130);
  }, 120_000);
});
