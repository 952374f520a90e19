// --no-color on every verb. Each verb lists it; in a real terminal (a tmux pane) the plan is coloured without it,
// and neither the plan text nor apply's listr2 view holds a colour with it.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_TIMEOUT_MS } from '../../src/apply/steps/common.js';
import { ensureBuilt, mfile, MFILE_BIN } from '../helpers/cli.js';
import { describeNeeding, TMUX } from '../helpers/prerequisites.js';
import { runInPane } from '../helpers/tmux-pane.js';

// An SGR sequence (colour or bold) in a captured pane.
const SGR = /\u001b\[[0-9;]*m/;

/** CLI runs at a time: enough to keep two cores busy while others start, few enough to bound memory. */
const AT_ONCE = 4;
let running = 0;
const waiting: (() => void)[] = [];

/** `mfile ...ARGS --help` as a user runs it: the built CLI, its own process. */
async function help(args: string[]): Promise<string> {
  // A freed slot passes straight to the next waiter.
  if (running < AT_ONCE) running++;
  else await new Promise<void>((r) => waiting.push(r));
  try {
    return await new Promise((resolve, reject) =>
      execFile(process.execPath, [MFILE_BIN, ...args, '--help'], { env: { ...process.env, CI: 'true', NO_COLOR: '1' }, timeout: 120_000 }, (err, stdout) =>
        err ? reject(err) : resolve(stdout),
      ),
    );
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

/**
 * Every verb as `mfile --help` lists it, with the verbs below a group (state unlock, ssh-keys forget), and its help.
 * The verbs of one level are asked at once: each is a whole CLI start, ~40 of them one after another took ~35 s.
 */
async function verbs(prefix: string[] = [], helpText?: string): Promise<{ verb: string; help: string }[]> {
  const text = helpText ?? (await help(prefix));
  const names = [...(text.split('\nCommands:\n')[1] ?? '').matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]).filter((n) => n !== 'help');
  if (prefix.length && !names.length) return [{ verb: prefix.join(' '), help: text }];
  const texts = await Promise.all(names.map((n) => help([...prefix, n])));
  return (await Promise.all(names.map((n, i) => verbs([...prefix, n], texts[i])))).flat();
}

describe('--no-color', () => {
  beforeAll(() => ensureBuilt());

  it('is an option of every verb', async () => {
    const all = await verbs();
    expect(all.map((v) => v.verb)).toEqual(expect.arrayContaining(['validate', 'plan', 'apply', 'destroy', 'ssh-keys forget', 'state unlock']));
    expect(all.filter((v) => !/^ {2}--no-color +print no colours/m.test(v.help)).map((v) => v.verb)).toEqual([]);
  }, 240_000);
});

describeNeeding([TMUX])('--no-color in a real terminal', () => {
  const project = `mfnocolor${process.pid}`;
  let dir = '';

  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(path.join(tmpdir(), 'mfile-nocolor-'));
    // One local machine: apply records the controller's engine and nothing else.
    writeFileSync(path.join(dir, 'machines.yml'), `version: 1\nproject: ${project}\nmachines:\n  m1: { driver: local }\n`);
  });

  afterAll(() => {
    if (!dir) return;
    mfile(['destroy', '-y'], { cwd: dir });
    rmSync(dir, { recursive: true, force: true });
  });

  it('plan is coloured in a terminal without it, and plain with it', async () => {
    const coloured = await runInPane(['plan', '--refresh=false'], dir, 60_000);
    expect(coloured.code, coloured.plain).toBe(0);
    expect(coloured.escaped).toMatch(SGR);
    const plain = await runInPane(['plan', '--refresh=false', '--no-color'], dir, 60_000);
    expect(plain.code, plain.plain).toBe(0);
    expect(plain.plain).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
    expect(plain.escaped).not.toMatch(SGR);
  });

  it('apply -y --no-color shows its plan and its progress without a colour', async () => {
    const r = await runInPane(['apply', '-y', '--no-color'], dir, 4 * CALL_TIMEOUT_MS);
    expect(r.code, r.plain).toBe(0);
    expect(r.plain).toMatch(/^ {2}✔ machine\.m1 created/m);
    expect(r.plain).toContain('Apply complete! Resources: 1 added, 0 changed, 0 destroyed.');
    expect(r.escaped).not.toMatch(SGR);
  });
});
