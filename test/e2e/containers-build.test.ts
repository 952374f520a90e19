// pull_policy build: the build context is streamed to the machine's engine and the container runs the result.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, mfile } from '../helpers/cli.js';
import { cleanupProject, ensureTestImages } from '../helpers/image.js';

const project = `mfb${process.pid}`;
const image = `mfile-test/built-${process.pid}:1`;
const dir = mkdtempSync(path.join(tmpdir(), 'mfile-e2e-build-'));
const file = path.join(dir, 'machines.yml');

beforeAll(() => {
  ensureTestImages();
  ensureBuilt();
}, 180_000);

afterAll(() => {
  cleanupProject(project);
  execFileSync('docker', ['rmi', '-f', image], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
});

describe('pull_policy build', () => {
  it('builds the context on the engine and runs it', () => {
    mkdirSync(path.join(dir, 'app'));
    // COPY only: RUN would need a network for the build container.
    writeFileSync(path.join(dir, 'app', 'Dockerfile'), 'FROM mfile-test/busybox:1\nARG GREETING\nCOPY hello.txt /hello.txt\nLABEL greeting=$GREETING\n');
    writeFileSync(path.join(dir, 'app', 'hello.txt'), 'built by mfile\n');
    writeFileSync(
      file,
      `version: 1\nproject: ${project}\nmachines:\n  m1: { driver: local }\ncontainers:\n  app:\n    machine: m1\n    image: ${image}\n    build: { context: ./app, args: { GREETING: hi } }\n    pull_policy: build\n    command: ["sleep", "600"]\n    network_mode: none\n    init: true\n`,
    );
    const r = mfile(['apply', '-f', file, '-y']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(execFileSync('docker', ['exec', `${project}-app`, 'cat', '/hello.txt'], { encoding: 'utf8' })).toBe('built by mfile\n');
    expect(execFileSync('docker', ['image', 'inspect', '-f', '{{.Config.Labels.greeting}}', image], { encoding: 'utf8' }).trim()).toBe('hi');
    expect(mfile(['destroy', '-f', file, '-y']).code).toBe(0);
  }, 120_000);
});
