// dockerode loads without its BuildKit session (grpc-js, proto-loader, protobufjs) and docker-modem without its
// ssh:// transport (ssh2), which mfile never calls: a run that talks to an engine does not pay ~0.13 s of CPU
// for them. The stand-ins load the real modules on their first call, so they still work if called.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureBuilt, MFILE_BIN, REPO_ROOT } from '../helpers/cli.js';

const DEFERRED = ['@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs', 'ssh2'];

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'mfile-deferred-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Packages in node_modules that a fresh process has in its require cache after `body` ran (an ES module in a
 * folder outside the repository: it resolves packages from the built module, as mfile does). */
function packagesAfter(body: string): { loaded: string[]; out: string } {
  const script = `import { createRequire } from 'node:module';
${body}
const names = Object.keys(createRequire(import.meta.url).cache).map((f) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(f)?.[1]).filter(Boolean);
console.log(JSON.stringify([...new Set(names)]));`;
  const file = path.join(dir, `probe-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, script);
  const r = spawnSync(process.execPath, [file], { cwd: REPO_ROOT, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout.trim().split('\n');
  return { loaded: JSON.parse(lines.at(-1)!) as string[], out: lines.slice(0, -1).join('\n') };
}

const internals = JSON.stringify(pathToFileURL(path.join(REPO_ROOT, 'dist/remote/docker/deferred-internals.js')).href);

it('dockerode loads without grpc, protobufjs or ssh2', () => {
  const { loaded } = packagesAfter(`const { requireDockerode } = await import(${internals});
const Docker = requireDockerode(${internals});
new Docker({ socketPath: '/var/run/docker.sock' });`);
  expect(loaded).toEqual(expect.arrayContaining(['dockerode', 'docker-modem']));
  expect(loaded.filter((p) => DEFERRED.includes(p))).toEqual([]);
});

it('the stand-ins load the real modules when called: the session reports a dial error through its handler, the SSH transport returns an agent', () => {
  const { loaded, out } = packagesAfter(`const { requireDockerode } = await import(${internals});
requireDockerode(${internals});
const require = createRequire(${internals});
const withSession = require(require.resolve('dockerode').replace(/docker\\.js$/, 'session.js'));
withSession({ modem: { dial: (_o, cb) => cb(new Error('no engine here')) } }, undefined, (err) => console.log('session:', err.message));
const sshFile = require.resolve('docker-modem', { paths: [require.resolve('dockerode')] }).replace(/modem\\.js$/, 'ssh.js');
const agent = require(sshFile)({ host: '127.0.0.1' });
console.log('ssh agent:', typeof agent.createConnection);`);
  expect(out).toBe('session: no engine here\nssh agent: function');
  expect(loaded).toEqual(expect.arrayContaining(['@grpc/grpc-js', 'ssh2']));
});

it('a plan that reads the local engine loads dockerode and none of them', () => {
  writeFileSync(path.join(dir, 'machines.yml'), 'version: 1\nmachines:\n  here: { driver: local }\ncontainers:\n  web: { machine: here, image: busybox:1.36 }\n');
  writeFileSync(path.join(dir, 'record.mjs'), `import { appendFileSync } from 'node:fs'; import { createRequire } from 'node:module';
process.on('exit', () => appendFileSync(process.env.MFILE_TEST_LOADED, Object.keys(createRequire(import.meta.url).cache).join('\\n')));\n`);
  const out = path.join(dir, 'loaded.txt');
  writeFileSync(out, '');
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(path.join(dir, 'record.mjs')).href, MFILE_BIN, 'plan', '-f', path.join(dir, 'machines.yml'), '--state', path.join(dir, 'state.json')], {
    cwd: dir,
    env: { ...process.env, CI: 'true', NO_COLOR: '1', MFILE_TEST_LOADED: out },
    encoding: 'utf8',
  });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  expect(r.stdout).toContain('container.web[here] will be created');
  const loaded = [...new Set(readFileSync(out, 'utf8').split('\n').map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1]).filter(Boolean))];
  expect(loaded).toContain('dockerode');
  expect(loaded.filter((p) => DEFERRED.includes(p!))).toEqual([]);
});
