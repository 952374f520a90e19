// Docker CLI helpers for one engine (`host` undefined = the root dockerd): image, counts by label, clean-up.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../../helpers/cli.js';

export const TEST_IMAGE = 'mfile-demo/busybox:1';

export function docker(host: string | undefined, args: string[], timeoutMs = 60_000): string {
  return execFileSync('docker', host ? ['-H', host, ...args] : args, { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
}

const lines = (s: string): string[] => s.split('\n').map((l) => l.trim()).filter(Boolean);

/** Builds the busybox test image on the root engine (no registry here). */
export function ensureTestImage(): void {
  execFileSync('bash', [path.join(REPO_ROOT, 'scripts/make-busybox-image.sh'), TEST_IMAGE], { stdio: 'ignore', timeout: 120_000 });
}

/** Copies the test image from the root engine into another engine. */
export function copyTestImage(host: string): void {
  execFileSync('bash', ['-c', 'set -o pipefail; docker save "$1" | docker -H "$2" load', '_', TEST_IMAGE, host], { stdio: 'ignore', timeout: 120_000 });
}

export interface LabelledContainer {
  id: string;
  machine: string;
  name: string;
  state: string;
}

/** Containers on `host` carrying io.mfile.project=project, with their machine and name labels. */
export function projectContainers(host: string | undefined, project: string): LabelledContainer[] {
  const out = docker(host, ['ps', '-a', '--filter', `label=io.mfile.project=${project}`, '--format', '{{.ID}}\t{{.Label "io.mfile.machine"}}\t{{.Label "io.mfile.name"}}\t{{.State}}']);
  return lines(out).map((l) => {
    const [id, machine, name, state] = l.split('\t');
    return { id, machine, name, state };
  });
}

/** How many containers carry each io.mfile.name (for duplicate checks). */
export function countByName(host: string | undefined, project: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of projectContainers(host, project)) counts[c.name] = (counts[c.name] ?? 0) + 1;
  return counts;
}

export function projectNetworksAndVolumes(host: string | undefined, project: string): { networks: string[]; volumes: string[] } {
  const f = `label=io.mfile.project=${project}`;
  return {
    networks: lines(docker(host, ['network', 'ls', '--filter', f, '--format', '{{.Name}}'])).sort(),
    volumes: lines(docker(host, ['volume', 'ls', '--filter', f, '--format', '{{.Name}}'])).sort(),
  };
}

/** Removes every container, network and volume labelled with the project on `host`; never throws (clean-up). */
export function cleanupProject(host: string | undefined, project: string): void {
  const f = `label=io.mfile.project=${project}`;
  const attempt = (fn: () => void): void => {
    try {
      fn();
    } catch {
      // engine gone or object already removed: nothing left to clean there
    }
  };
  attempt(() => {
    const ids = lines(docker(host, ['ps', '-aq', '--filter', f]));
    if (ids.length) docker(host, ['rm', '-fv', ...ids], 120_000);
  });
  attempt(() => {
    const ids = lines(docker(host, ['network', 'ls', '-q', '--filter', f]));
    if (ids.length) docker(host, ['network', 'rm', ...ids]);
  });
  attempt(() => {
    const ids = lines(docker(host, ['volume', 'ls', '-q', '--filter', f]));
    if (ids.length) docker(host, ['volume', 'rm', '-f', ...ids]);
  });
}

/** Removes only the project's containers (fast reset between crash cycles). */
export function removeProjectContainers(host: string | undefined, project: string): void {
  const ids = lines(docker(host, ['ps', '-aq', '--filter', `label=io.mfile.project=${project}`]));
  if (ids.length) docker(host, ['rm', '-fv', ...ids], 120_000);
}
