// The compiled-schema cache: the built CLI keeps ajv's code for the machines.yml schema in the user's cache
// folder (private, written without following a symlink), reports the same errors from it as from a fresh
// compile, and never runs code from a folder others can write or from a file whose body was changed.
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureBuilt, mfile } from '../helpers/cli.js';

let dir: string;
let file: string;
// Errors that read the schema back from ajv's error objects: a pattern's own message, "did you mean", an enum.
const BAD = [
  'version: 1',
  'project: Not_Lower',
  'machines:',
  '  m1: { driver: sandbx }',
  'containers:',
  '  web: { machine: m1, image: nginx, restart: alwyas, enviroment: { A: b } }',
  '',
].join('\n');

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'mfile-schema-cache-'));
  file = path.join(dir, 'machines.yml');
  writeFileSync(file, BAD);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const validate = (cacheHome: string) => mfile(['validate', '-f', file], { cwd: dir, env: { XDG_CACHE_HOME: cacheHome } });
const stored = (cacheHome: string): string[] => {
  const d = path.join(cacheHome, 'mfile');
  return existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.cjs')) : [];
};

it('keeps the compiled schema in $XDG_CACHE_HOME/mfile, private, and reports the same errors from it', () => {
  const home = path.join(dir, 'cache-a');
  const cold = validate(home);
  expect(cold.code).toBe(1);
  expect(cold.stderr).toContain("(did you mean 'environment'?)");
  const [name] = stored(home);
  expect(name).toMatch(/^schema-[0-9a-f]{64}\.cjs$/);
  expect(lstatSync(path.join(home, 'mfile')).mode & 0o777).toBe(0o700);
  expect(lstatSync(path.join(home, 'mfile', name)).mode & 0o777).toBe(0o600);
  const warm = validate(home);
  expect({ code: warm.code, stderr: warm.stderr, stdout: warm.stdout }).toEqual({ code: cold.code, stderr: cold.stderr, stdout: cold.stdout });
  expect(stored(home)).toEqual([name]);
});

it('neither reads nor writes a cache folder that others can write', () => {
  const home = path.join(dir, 'cache-open');
  mkdirSync(path.join(home, 'mfile'), { recursive: true });
  chmodSync(path.join(home, 'mfile'), 0o777);
  const r = validate(home);
  expect(r.code).toBe(1);
  expect(stored(home)).toEqual([]);
});

it('replaces a symlink planted at the cache file instead of writing through it', () => {
  const home = path.join(dir, 'cache-link');
  validate(home);
  const [name] = stored(home);
  const target = path.join(home, 'mfile', name);
  const victim = path.join(dir, 'victim.txt');
  writeFileSync(victim, 'untouched\n');
  rmSync(target);
  symlinkSync(victim, target);
  const r = validate(home);
  expect(r.code).toBe(1);
  expect(readFileSync(victim, 'utf8')).toBe('untouched\n');
  expect(lstatSync(target).isFile()).toBe(true);
});

it('does not run a stored validator whose body no longer matches its digest', () => {
  const home = path.join(dir, 'cache-changed');
  const cold = validate(home);
  const [name] = stored(home);
  const target = path.join(home, 'mfile', name);
  const marker = path.join(dir, 'ran.txt');
  const text = readFileSync(target, 'utf8');
  const nl = text.indexOf('\n') + 1;
  writeFileSync(target, `${text.slice(0, nl)}require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n${text.slice(nl)}`, { mode: 0o600 });
  const r = validate(home);
  expect(existsSync(marker)).toBe(false);
  expect(r.stderr).toBe(cold.stderr);
});

const codeCaches = (cacheHome: string): string[] => readdirSync(path.join(cacheHome, 'mfile')).filter((f) => /^schema-[0-9a-f]{64}\.v8-[0-9a-f]{12}$/.test(f));

it('keeps V8 code cache for the stored code, private, made once and taken by later runs', () => {
  const home = path.join(dir, 'cache-v8');
  const cold = validate(home); // compiles and stores the code
  expect(codeCaches(home)).toEqual([]);
  validate(home); // loads the code and stores V8's cache for it
  const [name] = codeCaches(home);
  expect(name).toBeDefined();
  const file = path.join(home, 'mfile', name);
  expect(lstatSync(file).mode & 0o777).toBe(0o600);
  const made = lstatSync(file).mtimeMs;
  const warm = validate(home);
  expect({ code: warm.code, stderr: warm.stderr }).toEqual({ code: cold.code, stderr: cold.stderr });
  // V8 took it: a refused or unreadable cache would be written again.
  expect(lstatSync(file).mtimeMs).toBe(made);
});

it('drops a code cache whose bytes no longer match their digest, and writes a good one again', () => {
  const home = path.join(dir, 'cache-v8-changed');
  const cold = validate(home);
  validate(home);
  const [name] = codeCaches(home);
  const file = path.join(home, 'mfile', name);
  const bytes = readFileSync(file);
  bytes[bytes.length - 1] ^= 0xff;
  writeFileSync(file, bytes, { mode: 0o600 });
  const r = validate(home);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: cold.code, stderr: cold.stderr });
  expect(readFileSync(file).equals(bytes)).toBe(false);
});

it('keeps the four newest code caches, whichever V8 made them, so upgrades of node leave no pile behind', () => {
  const home = path.join(dir, 'cache-v8-prune');
  validate(home); // stores the code
  const folder = path.join(home, 'mfile');
  const [code] = stored(home);
  const old = Array.from({ length: 5 }, (_, i) => `${code.replace(/\.cjs$/, '')}.v8-${String(i).repeat(12)}`);
  for (const [i, f] of old.entries()) {
    writeFileSync(path.join(folder, f), 'made by another V8', { mode: 0o600 });
    utimesSync(path.join(folder, f), 1_000_000 + i, 1_000_000 + i); // older than anything this run writes
  }
  validate(home); // stores this V8's code cache and prunes
  const left = codeCaches(home);
  expect(left).toHaveLength(4);
  expect(left).toEqual(expect.arrayContaining(old.slice(2)));
  expect(left.filter((f) => !old.includes(f))).toHaveLength(1); // this V8's
});
