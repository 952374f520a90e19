// What a user sees for bad input at the command line: one positioned line per problem, exit 1, no state touched.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mfile as runCli } from '../helpers/cli.js';

function project(yml: string): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'mfile-cli-'));
  const file = path.join(dir, 'machines.yml');
  writeFileSync(file, yml);
  return { dir, file };
}

const cases: { name: string; yml: string; expected: RegExp[] }[] = [
  {
    name: 'YAML syntax error',
    yml: 'version: 1\nmachines:\n  m1: { driver: local\n',
    expected: [/^machines\.yml:\d+:\d+: .+/],
  },
  {
    name: 'duplicate key',
    yml: 'version: 1\nmachines:\n  m1: { driver: local }\n  m1: { driver: local }\n',
    expected: [/^machines\.yml:4:3: .*duplicate/i],
  },
  {
    name: 'unknown key',
    yml: 'version: 1\nmachines:\n  m1: { driver: local }\ncontainers:\n  web:\n    image: x:1\n    colour: red\n',
    expected: [/^machines\.yml:7:5: .*colour/],
  },
  {
    name: 'unknown machine and undefined variable, both reported',
    yml: 'version: 1\nmachines:\n  m1: { driver: local }\ncontainers:\n  web:\n    machine: m2\n    image: "x:${tag}"\n',
    expected: [/^machines\.yml:6:\d+: .*m2/, /^machines\.yml:7:\d+: .*tag/],
  },
];

describe('mfile validate on bad input', () => {
  for (const c of cases) {
    it(c.name, () => {
      const { dir } = project(c.yml);
      const r = runCli(['validate', '-f', 'machines.yml'], { cwd: dir });
      expect(r.code).toBe(1);
      const lines = r.stderr.trim().split('\n');
      for (const re of c.expected) expect(lines.some((l) => re.test(l)), `${re} in:\n${r.stderr}`).toBe(true);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(path.join(dir, '.mfile'))).toBe(false);
    });
  }

  it('plan on a broken file exits 1 and creates no state', () => {
    const { dir } = project('version: 1\nmachines:\n  m1: { driver: lokal }\n');
    const r = runCli(['plan'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^machines\.yml:3:\d+: /m);
    expect(existsSync(path.join(dir, '.mfile'))).toBe(false);
  });

  it('a missing file names the file', () => {
    const { dir } = project('version: 1\n');
    const r = runCli(['validate', '-f', 'nope.yml'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nope\.yml/);
  });

  it('--help lists the verbs', () => {
    const r = runCli(['--help']);
    expect(r.code).toBe(0);
    for (const verb of ['validate', 'plan', 'apply', 'destroy', 'show', 'ls', 'env', 'ssh', 'state']) expect(r.stdout).toContain(verb);
  });
});
