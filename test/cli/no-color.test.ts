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

const VERBS = ['validate', 'plan', 'apply', 'destroy', 'show', 'ls', 'env', 'ssh', 'ssh-keys forget', 'regenerate-certs', 'state unlock'];
// An SGR sequence (colour or bold) in a captured pane.
const SGR = /\u001b\[[0-9;]*m/;

describe('--no-color', () => {
  beforeAll(() => ensureBuilt());

  it.each(VERBS)('is an option of %s', (verb) => {
    const r = mfile([...verb.split(' '), '--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {2}--no-color +print no colours/m);
  });
});

describeNeeding([TMUX])('--no-color in a real terminal', () => {
  const project = `mfnocolor${process.pid}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'mfile-nocolor-'));

  beforeAll(() => {
    ensureBuilt();
    // One local machine: apply records the controller's engine and nothing else.
    writeFileSync(path.join(dir, 'machines.yml'), `version: 1\nproject: ${project}\nmachines:\n  m1: { driver: local }\n`);
  });

  afterAll(() => {
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
