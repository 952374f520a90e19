// vitest globalSetup of the box lane. With MFILE_WARM_TEST_CACHES=1 (scripts/test.sh sets it), the slow cached
// builds some e2e files need (Debian root, cloud image, docker-machine and the fault plugin) start in the background
// as the run begins, under the same locks those files take: on a fresh machine they are built while the first files
// run, not when a file first needs one. Each file still ensures its cache (waiting on the lock); a failed build
// here is only logged (.test-work/warm-caches.log), the file's own build then reports it.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { goBinaryBuilds } from './docker-machine/binaries.js';
import { cloudImageBuild, debianRootBuild, REPO_ROOT } from './heavy-hosts/cache.js';

const quote = (argv: string[]): string => argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');

export default function warmCaches(): void {
  if (process.env.MFILE_WARM_TEST_CACHES !== '1') return;
  const lanes: string[][][] = [];
  // The root before the image: they share one lock, and the image's debootstrap reuses the root's .debs.
  const debian = [debianRootBuild(), cloudImageBuild()].filter((b): b is string[] => b !== undefined);
  if (debian.length && existsSync('/usr/sbin/debootstrap')) lanes.push(debian);
  if (existsSync('/usr/bin/go')) lanes.push(goBinaryBuilds());
  const dir = path.join(REPO_ROOT, '.test-work');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const log = openSync(path.join(dir, 'warm-caches.log'), 'a');
  for (const builds of lanes.filter((l) => l.length)) {
    const child = spawn('bash', ['-c', builds.map(quote).join(' && ')], { stdio: ['ignore', log, log], detached: true });
    child.unref();
  }
}
