// --no-color on every verb. Each verb lists it; in a real terminal (a tmux pane) the plan is coloured without it,
// and neither the plan text nor apply's listr2 view holds a colour with it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_TIMEOUT_MS } from '../../src/apply/steps/common.js';
import { ensureBuilt, mfile } from '../helpers/cli.js';
import { describeNeeding, TMUX } from '../helpers/prerequisites.js';
import { runInPane } from '../helpers/tmux-pane.js';

// An SGR sequence (colour or bold) in a captured pane.
const SGR = /\u001b\[[0-9;]*m/;

/** Every verb as `mfile --help` lists it, with the verbs below a group (state unlock, ssh-keys forget), and its help. */
function verbs(prefix: string[] = []): { verb: string; help: string }[] {
  const help = mfile([...prefix, '--help']).stdout;
  const names = [...(help.split('\nCommands:\n')[1] ?? '').matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]).filter((n) => n !== 'help');
  if (prefix.length && !names.length) return [{ verb: prefix.join(' '), help }];
  return names.flatMap((n) => verbs([...prefix, n]));
}

describe('--no-color', () => {
  beforeAll(() => ensureBuilt());

  it('is an option of every verb', () => {
    const all = verbs();
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
