// Builds the offline test images (no registry here): a busybox-static rootfs imported with `docker import`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, copyFileSync, symlinkSync, writeFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TEST_IMAGE = 'mfile-test/busybox:1';
/** Same rootfs plus one extra file, so it gets a different image ID. */
export const TEST_IMAGE_2 = 'mfile-test/busybox:2';

const APPLETS = ['sh', 'httpd', 'nc', 'sleep', 'echo', 'cat', 'test', 'ls', 'env', 'true', 'false', 'touch', 'id', 'hostname', 'ps', 'kill', 'mkdir', 'rm', 'wc'];

function imageExists(ref: string): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', ref], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function importImage(ref: string, variant: string): void {
  const root = mkdtempSync(join(tmpdir(), 'mfile-rootfs-'));
  try {
    for (const d of ['bin', 'etc', 'tmp', 'www', 'var', 'root']) mkdirSync(join(root, d));
    chmodSync(join(root, 'tmp'), 0o1777);
    copyFileSync('/usr/bin/busybox', join(root, 'bin/busybox'));
    chmodSync(join(root, 'bin/busybox'), 0o755);
    for (const a of APPLETS) symlinkSync('busybox', join(root, 'bin', a));
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
    writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
    writeFileSync(join(root, 'www/index.html'), `mfile test ${variant}\n`);
    writeFileSync(join(root, 'etc/mfile-variant'), `${variant}\n`);
    const tar = join(root, '..', `${root.split('/').pop()}.tar`);
    execFileSync('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', root, '-cf', tar, '.']);
    try {
      execFileSync('docker', ['import', '-c', 'ENV PATH=/bin', '-c', 'CMD ["/bin/sh"]', tar, ref], { stdio: 'ignore' });
    } finally {
      rmSync(tar, { force: true });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Makes sure both test images exist on the local engine (idempotent, cheap when present). */
export function ensureTestImages(): void {
  if (!imageExists(TEST_IMAGE)) importImage(TEST_IMAGE, '1');
  if (!imageExists(TEST_IMAGE_2)) importImage(TEST_IMAGE_2, '2');
}

/** Removes every object labelled with the project on the local engine (test clean-up). */
export function cleanupProject(project: string): void {
  const label = `label=io.mfile.project=${project}`;
  const ids = (args: string[]): string[] =>
    execFileSync('docker', args, { encoding: 'utf8' }).split('\n').map((s) => s.trim()).filter(Boolean);
  const cs = ids(['ps', '-aq', '--filter', label]);
  if (cs.length) execFileSync('docker', ['rm', '-fv', ...cs], { stdio: 'ignore' });
  const ns = ids(['network', 'ls', '-q', '--filter', label]);
  if (ns.length) execFileSync('docker', ['network', 'rm', ...ns], { stdio: 'ignore' });
  const vs = ids(['volume', 'ls', '-q', '--filter', label]);
  if (vs.length) execFileSync('docker', ['volume', 'rm', '-f', ...vs], { stdio: 'ignore' });
}

/** Names of the objects still labelled with the project, by kind. */
export function labelled(project: string): { containers: string[]; networks: string[]; volumes: string[] } {
  const label = `label=io.mfile.project=${project}`;
  const list = (args: string[]): string[] =>
    execFileSync('docker', args, { encoding: 'utf8' }).split('\n').map((s) => s.trim()).filter(Boolean).sort();
  return {
    containers: list(['ps', '-a', '--format', '{{.Names}}', '--filter', label]),
    networks: list(['network', 'ls', '--format', '{{.Name}}', '--filter', label]),
    volumes: list(['volume', 'ls', '--format', '{{.Name}}', '--filter', label]),
  };
}
