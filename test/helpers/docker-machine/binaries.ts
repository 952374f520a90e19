// Go binaries the Docker Machine plugin tests run: docker-machine built from its source tarball (its in-tree
// drivers serve as plugins) and mfile's small fault plugin. Each is built once and cached under
// /var/cache/mfile-test/go/ by the digest of its source, under flock, so test files and CI runs share one build.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Prerequisite } from '../prerequisites.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const CACHE = '/var/cache/mfile-test/go';

export const DOCKER_MACHINE_SRC = process.env.MFILE_DOCKER_MACHINE_SRC ?? '/work/shared/peers/docker-machine-0.16.2-src.tar.gz';
export const FAULT_PLUGIN_SRC = join(HERE, '../../fixtures/docker-machine-fault-plugin/main.go');

export const GO: Prerequisite = { name: '/usr/bin/go', from: 'scripts/setup-heavy-hosts.sh (golang-go)', present: () => existsSync('/usr/bin/go') };
export const DOCKER_MACHINE_SOURCE: Prerequisite = {
  name: DOCKER_MACHINE_SRC,
  from: 'MFILE_DOCKER_MACHINE_SRC: Docker Machine 0.16.2 source tarball',
  present: () => existsSync(DOCKER_MACHINE_SRC),
};

/** Where the binary is cached, and the command that builds it there under its lock (undefined when it is built). */
function goBuild(name: string, kind: 'tarball' | 'file', source: string): { bin: string; build?: string[] } {
  const digest = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 16);
  const dir = join(CACHE, `${name}-${digest}`);
  const bin = join(dir, name);
  if (existsSync(bin)) return { bin };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return { bin, build: ['flock', join(dir, '.lock'), 'bash', join(HERE, 'build-go-binary.sh'), bin, kind, source] };
}

function cached(name: string, kind: 'tarball' | 'file', source: string): string {
  const { bin, build } = goBuild(name, kind, source);
  if (build) execFileSync(build[0], build.slice(1), { stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
  return bin;
}

/** The commands that build the binaries not yet cached (for warming the cache ahead of the tests). */
export function goBinaryBuilds(): string[][] {
  const wanted: [string, 'tarball' | 'file', string][] = [['docker-machine-driver-mfilefault', 'file', FAULT_PLUGIN_SRC]];
  if (existsSync(DOCKER_MACHINE_SRC)) wanted.unshift(['docker-machine', 'tarball', DOCKER_MACHINE_SRC]);
  return wanted.map(([n, k, s]) => goBuild(n, k, s).build).filter((b): b is string[] => b !== undefined);
}

export const dockerMachineBinary = (): string => cached('docker-machine', 'tarball', DOCKER_MACHINE_SRC);

/** Named like a third-party driver binary, so tests run it the way users' plugins are run. */
export const faultPluginBinary = (): string => cached('docker-machine-driver-mfilefault', 'file', FAULT_PLUGIN_SRC);
