// What the built CLI does with input it did not write itself: a tampered state file, a state lost beside its
// backup, an edited saved plan, and values holding terminal control characters.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, mfile } from '../helpers/cli.js';
import { MFILE_VERSION } from '../../src/version.js';

const made: string[] = [];
function project(yml: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mfile-untrusted-'));
  made.push(dir);
  writeFileSync(path.join(dir, 'machines.yml'), yml);
  return dir;
}
beforeAll(() => ensureBuilt());
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

// An engine nobody answers on: plans are made with --refresh=false, and nothing here reaches a host.
const NONE = 'version: 1\nproject: p1\nmachines:\n  m1:\n    driver: none\n    none: { url: "tcp://127.0.0.1:1" }\n';
const WEB = `${NONE}containers:\n  web:\n    machine: m1\n    image: busybox:1\n`;

/** Bytes a terminal would act on: C0 controls but newline, DEL, C1 controls, bidi overrides. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('a state file with a machine named ../../victim', () => {
  const tampered = (dir: string): string => {
    const file = path.join(dir, '.mfile', 'state.json');
    mkdirSync(path.dirname(file), { recursive: true });
    const machine = {
      name: '../../victim', driver: 'sandbox', status: 'created', driverOptions: { subnet: '10.250.77.0/24' }, driverData: {}, updatedAt: 't',
    };
    writeFileSync(file, JSON.stringify({ version: 1, mfile_version: MFILE_VERSION, lineage: 'l', serial: 3, machines: { '../../victim': machine }, objects: {} }));
    mkdirSync(path.join(dir, 'victim'));
    writeFileSync(path.join(dir, 'victim', 'keep.txt'), 'precious');
    return file;
  };

  it.each([
    ['plan', ['plan']],
    ['destroy', ['destroy', '-y']],
  ])('%s refuses it in one line naming the file and the key, and the folder outside .mfile stays', (_verb, args) => {
    const dir = project(NONE);
    const state = tampered(dir);
    const before = readFileSync(state, 'utf8');
    const r = mfile(args, { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `Error: state file ${state} is not a valid mfile state (machines["../../victim"]: a machine name must be lower-case letters, digits and '-' ` +
        `(at most 63, starting with a letter or digit)); refusing to use or overwrite it; restore ${state}.backup or fix it`,
    ]);
    expect(readFileSync(path.join(dir, 'victim', 'keep.txt'), 'utf8')).toBe('precious');
    expect(readFileSync(state, 'utf8')).toBe(before);
  });
});

describe('a state file lost beside its backup', () => {
  it('plan refuses to start a new lineage and says how to restore the backup', () => {
    const dir = project(NONE);
    const state = path.join(dir, '.mfile', 'state.json');
    mkdirSync(path.dirname(state));
    writeFileSync(`${state}.backup`, JSON.stringify({ version: 1, mfile_version: MFILE_VERSION, lineage: 'old', serial: 7, machines: {}, objects: {} }));
    const r = mfile(['plan', '--refresh=false'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `Error: state file ${state} is missing but its backup ${state}.backup exists; refusing to start a new state. ` +
        `Restore it with: cp -p ${state}.backup ${state} (or remove the backup to start afresh)`,
    );
    expect(existsSync(state)).toBe(false);
  });
});

describe('an edited saved plan', () => {
  it('apply refuses a node turned into the delete of another project\'s container, and changes nothing', () => {
    const dir = project(WEB);
    expect(mfile(['plan', '--refresh=false', '--out', 'p.json'], { cwd: dir }).code).toBe(0);
    const file = path.join(dir, 'p.json');
    const plan = JSON.parse(readFileSync(file, 'utf8'));
    const node = plan.nodes.find((n: { address: string }) => n.address === 'container.web[m1]');
    Object.assign(node, { action: 'delete', address: 'container.shop-db[m1]', name: 'shop-db', existingId: 'shop-db', after: null });
    writeFileSync(file, JSON.stringify(plan, null, 2));
    const mfileDir = path.join(dir, '.mfile');
    const before = JSON.stringify(readdir(mfileDir));
    const r = mfile(['apply', 'p.json', '-y'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `Error: plan file ${file} was changed after \`mfile plan --out\` wrote it (its digest does not match); refusing to apply it: run \`mfile plan --out\` again`,
    );
    expect(r.stdout).toBe('');
    expect(JSON.stringify(readdir(mfileDir))).toBe(before);
    expect(existsSync(path.join(mfileDir, 'state.json'))).toBe(false);
  });

  it('apply refuses a plan carried to another project folder (no key there)', () => {
    const dir = project(WEB);
    expect(mfile(['plan', '--refresh=false', '--out', 'p.json'], { cwd: dir }).code).toBe(0);
    const other = project(WEB);
    cpSync(path.join(dir, 'p.json'), path.join(other, 'p.json'));
    const r = mfile(['apply', 'p.json', '-y', '-f', './machines.yml'], { cwd: other });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('was not made for this state folder (it has no plan key); refusing to apply it');
  });
});

/** Every file in the folder with its content (lock files come and go with each run). */
function readdir(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const names = existsSync(dir) ? readdirSync(dir).filter((n) => !n.endsWith('.lock')).sort() : [];
  for (const name of names) out[name] = readFileSync(path.join(dir, name)).toString('base64');
  return out;
}

describe('control characters in values', () => {
  const ESCAPES = 'a\\e[2Jb\\u009bc\\u202ed\\e]0;pwned\\a';

  it('plan text shows them escaped', () => {
    const dir = project(`${WEB}    environment:\n      A: "${ESCAPES}"\n      "K\\e[31m": red\n`);
    const r = mfile(['plan', '--refresh=false'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(CONTROL);
    expect(r.stderr).not.toMatch(CONTROL);
    expect(r.stdout).toMatch(/ A += "a\\u001b\[2Jb\\u009bc\\u202ed\\u001b\]0;pwned\\u0007"\n/);
    expect(r.stdout).toContain('"K\\u001b[31m" = "red"');
  });

  it('plan --json stays valid JSON with the same values, and no raw control character', () => {
    const dir = project(`${WEB}    environment:\n      A: "${ESCAPES}"\n`);
    const r = mfile(['plan', '--refresh=false', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(CONTROL);
    const plan = JSON.parse(r.stdout);
    const web = plan.resource_changes ?? plan.nodes ?? plan.changes;
    expect(JSON.stringify(web)).toContain(JSON.stringify('a\x1b[2Jb\x9bc\u202ed\x1b]0;pwned\x07').slice(1, -1));
  });

  it('an error quoting a value shows it escaped, on one line', () => {
    const dir = project(WEB);
    const r = mfile(['apply', 'p\x1b[2J\x9b.json', '-y'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(CONTROL);
    expect(r.stderr.trim()).toBe(`Error: plan file ${path.join(dir, 'p\\u001b[2J\\u009b.json')} does not exist`);
    const v = mfile(['validate', '-f', 'n\x1b]0;x\x07.yml'], { cwd: dir });
    expect(v.code).toBe(1);
    expect(v.stderr).not.toMatch(CONTROL);
    expect(v.stderr.trim()).toBe(`Error: config file not found: n\\u001b]0;x\\u0007.yml (choose one with -f FILE)`);
  });
});
