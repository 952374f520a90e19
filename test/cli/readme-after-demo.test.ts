// The README's set-up section tells a new user which commands work after the demo. Each `npx mfile …` it names is
// run here the way that user types it, from a folder laid out like the clone (examples/sandbox.yml), before any
// machine exists: each must find its file; none may answer "config file not found".
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it, describe } from 'vitest';
import { ensureBuilt, mfile, REPO_ROOT } from '../helpers/cli.js';

/** The `npx mfile …` commands of the README's paragraph that starts "After the demo". */
function afterDemoCommands(readme: string): string[][] {
  const paragraph = readme.slice(readme.indexOf('After the demo'), readme.indexOf('## ', readme.indexOf('After the demo')));
  const commands: string[][] = [];
  for (const [, line] of paragraph.matchAll(/npx mfile ([^`)"]+)/g)) commands.push(line.trim().split(/\s+/));
  return commands;
}

describe("the README's commands after the demo", () => {
  let dir = '';
  const commands = afterDemoCommands(readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8'));
  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(path.join(os.tmpdir(), 'mfile-readme-'));
    mkdirSync(path.join(dir, 'examples'));
    copyFileSync(path.join(REPO_ROOT, 'examples/sandbox.yml'), path.join(dir, 'examples/sandbox.yml'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names ls, env and destroy', () => {
    expect(commands.map((c) => c[0])).toEqual(['ls', 'env', 'destroy']);
  });

  it('each finds examples/sandbox.yml from the clone root', () => {
    for (const args of commands) {
      const r = mfile(args, { cwd: dir, timeoutMs: 60_000 });
      expect(r.stderr, args.join(' ')).not.toMatch(/config file not found/);
      // env names a machine that does not exist yet here; ls and destroy succeed on an empty state.
      if (args[0] !== 'env') expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
    }
  });
});
