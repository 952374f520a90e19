// Addresses, engine names and label keys: the vocabulary shared by the planner, apply and the CLI.
import type { NodeKind } from '../model/index.js';

// Read back from the state and saved plans too, so the rule lives in model/.
export { parseAddress, type ParsedAddress } from '../model/names.js';

export const LABEL_PROJECT = 'io.mfile.project';
export const LABEL_MACHINE = 'io.mfile.machine';
export const LABEL_NAME = 'io.mfile.name';
export const LABEL_CONFIG_HASH = 'io.mfile.config-hash';

export type ObjectNodeKind = Exclude<NodeKind, 'machine'>;

export function machineAddress(name: string): string {
  return `machine.${name}`;
}

export function objectAddress(kind: ObjectNodeKind, name: string, machine: string): string {
  return `${kind}.${name}[${machine}]`;
}

/** Engine-side name: container `<project>-<name>`, network and volume `<project>_<name>`. */
export function engineName(project: string, kind: 'container' | 'network' | 'volume', name: string): string {
  return kind === 'container' ? `${project}-${name}` : `${project}_${name}`;
}

/** The container's engine name, honouring `container_name`. */
export function containerEngineName(project: string, spec: { name: string; container_name?: string }): string {
  return spec.container_name ?? engineName(project, 'container', spec.name);
}

/** The labels mfile stamps on an object it makes. */
export function mfileLabels(project: string, machine: string, name: string, configHash: string): Record<string, string> {
  return { [LABEL_PROJECT]: project, [LABEL_MACHINE]: machine, [LABEL_NAME]: name, [LABEL_CONFIG_HASH]: configHash };
}

/**
 * A `--target` matcher. `*` matches any run of characters; everything else is literal.
 * A target without `[MACHINE]` for an object kind (`container.web`) matches that object on every machine.
 */
export function targetMatcher(pattern: string): (address: string) => boolean {
  const re = new RegExp(`^${globToRegex(pattern)}$`);
  const bare = /^(container|network|volume|image)\.[^[\]]+$/.test(pattern)
    ? new RegExp(`^${globToRegex(pattern)}\\[[^\\]]+\\]$`)
    : null;
  return (address: string) => re.test(address) || (bare !== null && bare.test(address));
}

function globToRegex(glob: string): string {
  return glob
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    .join('.*');
}
