// `mfile plan` (and the plan inside `apply`) asks each driver whether the machines it would create can be
// made: a refusal is one line naming the machine and driver, exit 1, and nothing is created or recorded.
// Built CLI; no host is made (the checks refuse before that), so no subnet is used.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/cli.js';
import { cliProject, type CliProject } from '../helpers/cli-project.js';

function genericProject(keyFile: string): CliProject {
  const p = cliProject('precheck');
  p.write(`version: 1
machines:
  web-1:
    driver: generic
    generic: { host: 127.0.0.1, port: 1, identity_file: ${keyFile} }
`);
  return p;
}

/** Nothing created and nothing recorded: no state file, no machine folder. */
function untouched(p: CliProject): void {
  expect(existsSync(p.stateFile)).toBe(false);
  expect(existsSync(path.join(p.dir, '.mfile/machines'))).toBe(false);
}

describe('preCreateCheck runs at plan time', () => {
  beforeAll(() => ensureBuilt());

  it('plan refuses a generic machine whose identity_file does not exist, in one line naming machine and driver', () => {
    const p = genericProject('./keys/missing');
    const r = p.run(['plan']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `Error: web-1: driver generic cannot create it: generic.identity_file ${path.join(p.dir, 'keys/missing')}: no such file`,
    ]);
    expect(r.stdout).not.toContain('Plan:');
    untouched(p);
  });

  it('with --refresh=false too: skipping the look at existing hosts does not skip checking new ones', () => {
    const p = genericProject('./keys/missing');
    const r = p.run(['plan', '--refresh=false']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: web-1: driver generic cannot create it: generic\.identity_file \S+: no such file$/m);
    untouched(p);
  });

  it('apply refuses before it creates or records anything', () => {
    const p = genericProject('./keys/missing');
    const r = p.run(['apply', '-y']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `Error: web-1: driver generic cannot create it: generic.identity_file ${path.join(p.dir, 'keys/missing')}: no such file`,
    ]);
    untouched(p);
  });

  it('plan accepts the same machine once the key file is there', () => {
    const p = genericProject('./keys/id');
    mkdirSync(path.join(p.dir, 'keys'), { mode: 0o700 });
    writeFileSync(path.join(p.dir, 'keys/id'), 'not checked at plan time\n', { mode: 0o600 });
    const r = p.run(['plan']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('# machine.web-1 will be created');
    expect(existsSync(p.stateFile)).toBe(false);
  });

  it('plan refuses a sandbox whose subnet is not a /24, which only the driver can judge', () => {
    const p = cliProject('precheck');
    p.write('version: 1\nmachines:\n  lab:\n    driver: sandbox\n    sandbox: { subnet: 10.213.250.0/16 }\n');
    const r = p.run(['plan']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      'Error: lab: driver sandbox cannot create it: sandbox.subnet must be a /24 like 10.213.0.0/24, got "10.213.250.0/16"',
    ]);
    untouched(p);
  });
});
