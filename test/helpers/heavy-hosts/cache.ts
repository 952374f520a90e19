// The cached Debian root, apt repository of docker.io .debs and VM disk, under /var/cache/mfile-test/<version>.
// Built on first use by the shell scripts beside this file (under flock, so concurrent runs build once) and reused
// afterwards; bump CACHE_VERSION when what they build changes.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CACHE_VERSION = 'bookworm-v2';
export const CACHE_ROOT = '/var/cache/mfile-test';
export const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(HERE, '../../..');

export function cacheDir(): string {
  return join(CACHE_ROOT, CACHE_VERSION);
}

/** The Debian mirror of this machine's apt sources (the only archive reachable here). */
export function debianMirror(): string {
  if (process.env.MFILE_DEBIAN_MIRROR) return process.env.MFILE_DEBIAN_MIRROR;
  const files = ['/etc/apt/sources.list'];
  const d = '/etc/apt/sources.list.d';
  if (existsSync(d)) files.push(...readdirSync(d).map((f) => join(d, f)));
  for (const f of files) {
    if (!existsSync(f)) continue;
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      const m = /^\s*(?:URIs:|deb(?:\s+\[[^\]]*\])?)\s+(https?:\/\/\S+)/.exec(line);
      if (m && /debian\/?$/.test(m[1]) && !/security/.test(m[1])) return m[1].replace(/\/$/, '');
    }
  }
  return 'http://deb.debian.org/debian';
}

/** Installs the packages the heavy hosts need (fast when present): scripts/setup-heavy-hosts.sh. */
export function setupHeavyHosts(): void {
  execFileSync('bash', [join(REPO_ROOT, 'scripts/setup-heavy-hosts.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
}

/** The command that builds into the cache under its lock (a build waits for, then reuses, one under way). */
function lockedBuild(script: string, args: string[]): string[] {
  mkdirSync(cacheDir(), { recursive: true, mode: 0o700 });
  return ['flock', join(cacheDir(), '.build.lock'), 'bash', join(HERE, script), cacheDir(), ...args];
}

function buildLocked(argv: string[], timeoutMs: number): void {
  execFileSync(argv[0], argv.slice(1), { stdio: ['ignore', 'inherit', 'inherit'], timeout: timeoutMs });
}

export interface DebianRootCache {
  /** The pristine root (overlay lower layer). */
  root: string;
  /** The .debs and Packages.gz of docker.io and its dependencies. */
  repo: string;
}

const debianRootPaths = (): DebianRootCache => ({ root: join(cacheDir(), 'root'), repo: join(cacheDir(), 'repo') });

/** The command that builds the Debian root and its .deb repository, or undefined when they are cached. */
export function debianRootBuild(): string[] | undefined {
  const { root, repo } = debianRootPaths();
  return existsSync(root) && existsSync(join(repo, 'Packages.gz')) ? undefined : lockedBuild('build-debian-root.sh', [debianMirror()]);
}

export function ensureDebianRoot(): DebianRootCache {
  const build = debianRootBuild();
  if (build) buildLocked(build, 600_000);
  return debianRootPaths();
}

/** The port the cloud image's apt source names on 10.0.2.2 (the host's loopback, seen from a user-network guest). */
export const CLOUD_APT_PORT = 8216;

export interface CloudImageCache {
  /** The bootable qcow2 image with cloud-init. */
  image: string;
  sha256: string;
}

/**
 * The cloud-like image for the qemu driver's tests, cached by content: its folder is named by a digest of the
 * build script and its arguments, so a changed script builds a new image instead of reusing a stale one.
 */
const CLOUD_APT_URL = `http://10.0.2.2:${CLOUD_APT_PORT}`;

function cloudImageDir(): string {
  const script = readFileSync(join(HERE, 'build-cloud-image.sh'));
  const key = createHash('sha256').update(script).update('\0').update(CLOUD_APT_URL).digest('hex').slice(0, 12);
  return join(cacheDir(), `cloud-${key}`);
}

/** The command that builds the cloud image, or undefined when it is cached. */
export function cloudImageBuild(): string[] | undefined {
  const out = cloudImageDir();
  return existsSync(join(out, 'base.qcow2')) ? undefined : lockedBuild('build-cloud-image.sh', [debianMirror(), out, CLOUD_APT_URL]);
}

export function ensureCloudImage(): CloudImageCache {
  const build = cloudImageBuild();
  if (build) buildLocked(build, 1_200_000);
  const out = cloudImageDir();
  return { image: join(out, 'base.qcow2'), sha256: readFileSync(join(out, 'base.qcow2.sha256'), 'utf8').trim() };
}
