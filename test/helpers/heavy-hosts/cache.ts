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

function buildLocked(script: string, args: string[], timeoutMs: number): void {
  mkdirSync(cacheDir(), { recursive: true, mode: 0o700 });
  execFileSync('flock', [join(cacheDir(), '.build.lock'), 'bash', join(HERE, script), cacheDir(), ...args], {
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: timeoutMs,
  });
}

export interface DebianRootCache {
  /** The pristine root (overlay lower layer). */
  root: string;
  /** The .debs and Packages.gz of docker.io and its dependencies. */
  repo: string;
}

export function ensureDebianRoot(): DebianRootCache {
  const root = join(cacheDir(), 'root');
  const repo = join(cacheDir(), 'repo');
  if (!existsSync(root) || !existsSync(join(repo, 'Packages.gz'))) buildLocked('build-debian-root.sh', [debianMirror()], 600_000);
  return { root, repo };
}

export interface VmCache {
  disk: string;
  kernel: string;
  initrd: string;
  /** Root's key for the VM (its public half is in the disk's authorized_keys). */
  identityFile: string;
}

/** The VM disk bakes in its address, gateway and apt source, so they are part of what is cached. */
export function ensureVmDisk(net: { ip: string; gateway: string; aptUrl: string }): VmCache {
  const dir = join(cacheDir(), 'vm');
  const meta = join(cacheDir(), 'vm.net');
  const want = `${net.ip}/24 ${net.gateway} ${net.aptUrl}`;
  if (existsSync(join(dir, 'disk.img')) && existsSync(meta) && readFileSync(meta, 'utf8').trim() !== want) {
    throw new Error(`cached VM disk was built for ${readFileSync(meta, 'utf8').trim()}, not ${want}: bump CACHE_VERSION`);
  }
  if (!existsSync(join(dir, 'disk.img'))) {
    buildLocked('build-vm-disk.sh', [debianMirror(), `${net.ip}/24`, net.gateway, net.aptUrl], 900_000);
    execFileSync('sh', ['-c', 'printf "%s\\n" "$1" > "$2"', 'sh', want, meta]);
  }
  return {
    disk: join(dir, 'disk.img'),
    kernel: join(dir, 'vmlinuz'),
    initrd: join(dir, 'initrd.img'),
    identityFile: join(dir, 'id_ed25519'),
  };
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
export function ensureCloudImage(): CloudImageCache {
  const aptUrl = `http://10.0.2.2:${CLOUD_APT_PORT}`;
  const script = readFileSync(join(HERE, 'build-cloud-image.sh'));
  const key = createHash('sha256').update(script).update('\0').update(aptUrl).digest('hex').slice(0, 12);
  const out = join(cacheDir(), `cloud-${key}`);
  if (!existsSync(join(out, 'base.qcow2'))) buildLocked('build-cloud-image.sh', [debianMirror(), out, aptUrl], 1_200_000);
  return { image: join(out, 'base.qcow2'), sha256: readFileSync(join(out, 'base.qcow2.sha256'), 'utf8').trim() };
}
