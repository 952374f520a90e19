// What both heavy-host tests do with the built CLI: a project folder with one generic machine and one small
// container, `mfile apply/destroy`, and the real docker CLI pointed at the machine by `mfile env`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach } from 'vitest';
import { mfile } from '../cli.js';
import { CACHE_ROOT, REPO_ROOT } from './cache.js';
import type { Teardown } from './teardown.js';

export const DEMO_IMAGE = 'mfile-demo/busybox:1';

/** A fresh folder for one run's keys, logs and project, outside /tmp (sshd's StrictModes). */
export function runDir(label: string): string {
  const base = join(CACHE_ROOT, 'run');
  mkdirSync(base, { recursive: true, mode: 0o700 });
  return mkdtempSync(join(base, `${label}-`));
}

export function ensureDemoImage(): void {
  execFileSync('bash', [join(REPO_ROOT, 'scripts/make-busybox-image.sh'), DEMO_IMAGE], { stdio: 'ignore' });
}

export function writeProject(dir: string, o: { project: string; machine: string; host: string; identityFile: string }): string {
  const projectDir = join(dir, o.project);
  mkdirSync(projectDir, { recursive: true });
  const file = join(projectDir, 'machines.yml');
  writeFileSync(
    file,
    `version: 1
project: ${o.project}
machines:
  ${o.machine}:
    driver: generic
    generic: { host: ${o.host}, user: root, identity_file: ${o.identityFile} }
    engine: { install: auto }
containers:
  web:
    machine: ${o.machine}
    image: ${DEMO_IMAGE}
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    stop_grace_period: 1s
`,
  );
  return file;
}

/** `eval "$(mfile env NAME)"` then the docker CLI, as a user would; DOCKER_CONFIG kept out of ~/.docker. */
export function dockerViaEnv(file: string, machine: string, args: string[], dockerConfig: string) {
  return spawnSync(
    'bash',
    ['-c', 'set -e; eval "$(node "$1" env "$2" -f "$3")"; shift 3; env | grep "^DOCKER_" | sort >&2; exec docker "$@"', 'bash',
      join(REPO_ROOT, 'bin/mfile.js'), machine, file, ...args],
    { encoding: 'utf8', env: { ...process.env, DOCKER_CONFIG: dockerConfig, NO_COLOR: '1' }, timeout: 60_000 },
  );
}

/** The docker CLI with TLS verification of the server but no client certificate: must be refused. */
export function dockerWithoutClientCert(url: string, caFile: string, args: string[]) {
  return spawnSync('docker', ['--tlsverify', '--tlscacert', caFile, '-H', url, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DOCKER_CONFIG: '/nonexistent-mfile-docker-config', DOCKER_CERT_PATH: '/nonexistent', DOCKER_HOST: '' },
    timeout: 30_000,
  });
}

/**
 * The run's end, for a describe block: `mfile destroy` (a no-op when a test destroyed already), the teardown
 * steps, then the run folder, which stays for its logs (console, sshd, httpd) when setup or a test failed.
 * `run()` gives the folder and the machines.yml, the latter set only once setup finished.
 */
export function cleanUpAfterRun(t: Teardown, run: () => { dir: string; file: string }, o: { destroyTimeoutMs: number; hookTimeoutMs: number }): void {
  let failed = false;
  beforeEach((ctx) => {
    ctx.onTestFailed(() => {
      failed = true;
    });
  });
  afterAll(async () => {
    const { dir, file } = run();
    if (file) mfile(['destroy', '-y', '-f', file], { timeoutMs: o.destroyTimeoutMs });
    const failures = await t.run();
    if (failures.length) throw new Error(`tear-down failed:\n${failures.join('\n')}`);
    if (dir && file && !failed) rmSync(dir, { recursive: true, force: true });
    else if (dir) console.error(`kept ${dir} for its logs`);
  }, o.hookTimeoutMs);
}
