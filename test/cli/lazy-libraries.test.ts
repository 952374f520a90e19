// validate and plan --refresh=false reach no machine, so they must not load the Docker, SSH, TLS or terminal
// UI libraries: loading them cost every such run about a third of a second (speed itself is measured in bench/).
// No run loads the EC2 SDK unless an EC2 machine is asked something: loading it took a second of CPU. A valid
// machines.yml is read without the positioned reader's `yaml` package (~35 ms to load), which places errors, and
// a file without plugin drivers without the plugins' JSON-RPC package.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureBuilt, MFILE_BIN } from '../helpers/cli.js';

const HEAVY = ['dockerode', 'docker-modem', 'ssh2', '@peculiar/x509', 'listr2', '@aws-sdk/client-ec2'];

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'mfile-lazy-'));
  writeFileSync(
    path.join(dir, 'machines.yml'),
    'version: 1\nmachines:\n  m1: { driver: sandbox }\ncontainers:\n  web: { machine: m1, image: nginx:1.27, ports: ["8080:80"] }\n',
  );
  // Records every file the run loads: ES modules as the loader resolves them (a hook, which runs on its own
  // thread and appends), CommonJS ones from the require cache at exit.
  writeFileSync(
    path.join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function resolve(spec, ctx, next) { const r = await next(spec, ctx); appendFileSync(process.env.MFILE_TEST_LOADED, r.url + '\\n'); return r; }\n`,
  );
  writeFileSync(
    path.join(dir, 'record.mjs'),
    `import { appendFileSync } from 'node:fs'; import { createRequire, register } from 'node:module';
register('./hooks.mjs', import.meta.url);
process.on('exit', () => appendFileSync(process.env.MFILE_TEST_LOADED, Object.keys(createRequire(import.meta.url).cache).join('\\n')));\n`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  /** Every file the run loaded (paths and file: URLs, decoded). */
  files: string[];
  stderr: string;
}

function runRecorded(args: string[], file = 'machines.yml', status = 0): Run {
  const out = path.join(dir, `loaded-${args[0]}.txt`);
  writeFileSync(out, '');
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(path.join(dir, 'record.mjs')).href, MFILE_BIN, ...args, '-f', path.join(dir, file)], {
    cwd: dir,
    env: { ...process.env, CI: 'true', NO_COLOR: '1', MFILE_TEST_LOADED: out },
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(status);
  return { files: readFileSync(out, 'utf8').split('\n').map((f) => decodeURIComponent(f)), stderr: r.stderr };
}

/** The packages a run loaded, and its stderr. */
function packagesLoaded(args: string[], file?: string, status?: number): { packages: string[]; stderr: string } {
  const run = runRecorded(args, file, status);
  const names = run.files
    .map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1])
    .filter((n): n is string => n !== undefined);
  return { packages: [...new Set(names)], stderr: run.stderr };
}

it('validate and plan --refresh=false load none of the Docker, SSH, TLS, listr2 or EC2 libraries', () => {
  for (const args of [['validate'], ['plan', '--refresh=false']]) {
    const loaded = packagesLoaded(args).packages;
    // The recorder sees both kinds: ajv is CommonJS, js-yaml is loaded as an ES module.
    expect(loaded, args.join(' ')).toEqual(expect.arrayContaining(['ajv', 'js-yaml']));
    expect(loaded.filter((p) => HEAVY.includes(p)), args.join(' ')).toEqual([]);
    expect(loaded, args.join(' ')).not.toContain('yaml');
    expect(loaded, args.join(' ')).not.toContain('json-rpc-2.0');
  }
});

it('a file with a mistake loads the positioned reader, which places it', () => {
  writeFileSync(
    path.join(dir, 'broken.yml'),
    'version: 1\nmachines:\n  m1: { driver: sandbox }\ncontainers:\n  web: { machine: m1, image: nginx:1.27, portz: ["8080:80"] }\n',
  );
  for (const args of [['validate'], ['plan', '--refresh=false']]) {
    const run = packagesLoaded(args, 'broken.yml', 1);
    expect(run.packages, args.join(' ')).toContain('yaml');
    expect(run.stderr, args.join(' ')).toMatch(/broken\.yml:5:42: unknown key .portz./);
  }
});

// The machines.yml validator is kept compiled (schema-cache): a run that finds it needs ajv's runtime helpers
// only. The driver registry imported the plugin driver's describe check, which loaded ajv's compiler in every
// run (~0.1 s of CPU).
it('a run whose schema validator is cached does not load ajv\'s compiler', () => {
  runRecorded(['validate']); // compiles and caches the validator if no earlier run did
  const compiler = runRecorded(['plan', '--refresh=false']).files.filter((f) => /node_modules\/ajv\/dist\/(2020|core|compile\/index)\.js/.test(f));
  expect(compiler).toEqual([]);
});
