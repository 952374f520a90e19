// Engine-side names of the objects in machines.yml: `<project>-<name>` for containers, `<project>_<name>` for
// networks and volumes, unless the config names them (`container_name`, `name:`) or they are external.
import type { Desired } from './desired.js';

/** Engine-side name: container `<project>-<name>`, network and volume `<project>_<name>`. */
export function engineName(project: string, kind: 'container' | 'network' | 'volume', name: string): string {
  return kind === 'container' ? `${project}-${name}` : `${project}_${name}`;
}

/**
 * A rolling step keeps the previous container, renamed `<name>-mfile-previous-<hex>`, until the new one is
 * ready; a step killed midway leaves it so, and the next plan reads it as the previous version.
 */
export const PREVIOUS_MARK = '-mfile-previous-';

export function isPreviousVersion(containerName: string, engineName: string): boolean {
  return containerName.startsWith(`${engineName}${PREVIOUS_MARK}`);
}

/** The container's engine name, honouring `container_name`. */
export function containerEngineName(project: string, spec: { name: string; container_name?: string }): string {
  return spec.container_name ?? engineName(project, 'container', spec.name);
}

export function networkEngineName(desired: Desired, name: string): string {
  const n = desired.networks[name];
  if (n?.engineName) return n.engineName;
  return n?.external ? name : engineName(desired.project, 'network', name);
}

export function volumeEngineName(desired: Desired, name: string): string {
  const v = desired.volumes[name];
  if (v?.engineName) return v.engineName;
  return v?.external ? name : engineName(desired.project, 'volume', name);
}

/** The engine name of a container of machines.yml by its name there (`network_mode: service:NAME`). */
export function containerName(desired: Desired, name: string): string {
  const spec = desired.containers[name];
  return spec ? containerEngineName(desired.project, spec) : engineName(desired.project, 'container', name);
}
