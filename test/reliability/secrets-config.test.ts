// A sensitive variable used in container environments, a command, labels and engine.daemon options must never
// be printed or saved: not by validate (text or --json), not by plan (text, --json, --out FILE), not in any file
// mfile leaves in the project folder, and not in the errors of a file that fails validation. It shows as
// "(sensitive)". Driver local and --refresh=false: no host or engine is contacted.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/cli.js';
import { runCli, type TimedRun } from './helpers/fuzz-cli.js';
import { filesUnder } from './helpers/files-under.js';

// Characters that trip naive masking: regex metacharacters, a space, a slash, a dollar.
const SECRET = 'Zq9-s3cr3t.VALUE+$x/ y';
const SECRET2 = 'second-Secret-42';

const CONFIG = `version: 1
project: secrets
variables:
  token: { sensitive: true, description: API token }
  db_password: { sensitive: true }
  plain: { default: visible-value }
machines:
  m1:
    driver: local
    engine:
      labels: { role: app }
      daemon:
        registry-mirrors: ["https://ci:\${token}@mirror.example"]
        labels: ["token=\${token}"]
  m2:
    driver: local
    engine:
      daemon: { "insecure-registries": ["\${db_password}.example:5000"] }
containers:
  api:
    machine: m1
    image: busybox
    environment:
      TOKEN: "\${token}"
      URL: postgres://u:\${db_password}@db/x
      PLAIN: \${plain}
  worker:
    machines: [m1, m2]
    image: busybox
    environment:
      - TOKEN=\${token}
    command: ["sh", "-c", "echo \${token}"]
    labels: { token: "\${token}" }
`;

/** The same file, with the secret substituted where the schema refuses it: the errors quote the value. */
const INVALID = `${CONFIG}    mem_limit: "\${token}"
    ports: ["\${db_password}"]
    healthcheck: { test: ["CMD", "true"], interval: "\${token}" }
`;

let root: string;
beforeAll(() => {
  ensureBuilt();
  root = mkdtempSync(path.join(tmpdir(), 'mfile-secrets-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function project(name: string, yaml: string): string {
  const dir = path.join(root, name, 'proj');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'machines.yml'), yaml);
  return dir;
}


function leaks(where: string, text: string): string[] {
  return [SECRET, SECRET2, 'Zq9-s3cr3t', 'second-Secret'].filter((s) => text.includes(s)).map((s) => `${where} holds '${s}'`);
}

const VARS = ['--var', `token=${SECRET}`, '--var', `db_password=${SECRET2}`];
const ENV = { MFILE_VAR_token: SECRET, MFILE_VAR_db_password: SECRET2 };

describe.each([
  ['--var', VARS, {}],
  ['MFILE_VAR_', [], ENV],
] as const)('secrets given by %s', (_how, vars, env) => {
  it('appear in no output and no file of validate and plan, masked as (sensitive)', async () => {
    const dir = project(`ok-${_how.replace(/\W/g, '')}`, CONFIG);
    const runs: [string, string[]][] = [
      ['validate --json', ['validate', '--json']],
      ['validate', ['validate']],
      ['plan', ['plan', '--refresh=false']],
      ['plan --json', ['plan', '--refresh=false', '--json']],
      ['plan --out', ['plan', '--refresh=false', '--out', 'saved.plan']],
    ];
    const found: string[] = [];
    const results: Record<string, TimedRun> = {};
    for (const [name, args] of runs) {
      const r = await runCli([...args, '-f', 'machines.yml', ...vars], dir, 60_000, env);
      results[name] = r;
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      found.push(...leaks(`${name} stdout`, r.stdout), ...leaks(`${name} stderr`, r.stderr));
    }
    for (const [file, text] of filesUnder(dir)) found.push(...leaks(path.relative(dir, file), text));
    expect(found).toEqual([]);

    // The values are there, masked: the test would see them if masking stopped.
    expect(results.plan.stdout).toMatch(/ TOKEN += \(sensitive\)\n/);
    expect(results.plan.stdout).toMatch(/ URL += \(sensitive\)\n/);
    expect(results.plan.stdout).toContain('visible-value'); // a plain variable is shown
    expect(results['plan --json'].stdout).toContain('(sensitive)');
    expect(readFileSync(path.join(dir, 'saved.plan'), 'latin1')).toContain('(sensitive)');
    expect(JSON.parse(results['validate --json'].stdout)).toMatchObject({ valid: true });
  });

  it('appear in no error message of a file that fails validation', async () => {
    const dir = project(`bad-${_how.replace(/\W/g, '')}`, INVALID);
    const found: string[] = [];
    for (const args of [['validate', '--json'], ['validate'], ['plan', '--refresh=false']]) {
      const r = await runCli([...args, '-f', 'machines.yml', ...vars], dir, 60_000, env);
      expect(r.code, args.join(' ')).toBe(1);
      found.push(...leaks(`${args.join(' ')} stdout`, r.stdout), ...leaks(`${args.join(' ')} stderr`, r.stderr));
      // The errors are still there and name the field, with the value masked.
      expect(r.stdout + r.stderr).toMatch(/mem_limit: '\(sensitive\)' must be a size/);
      expect(r.stdout + r.stderr).toMatch(/ports\[0\]: '\(sensitive\)' must be a port mapping/);
    }
    for (const [file, text] of filesUnder(dir)) found.push(...leaks(path.relative(dir, file), text));
    expect(found).toEqual([]);
  });
});
