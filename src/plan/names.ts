// Addresses, engine names and label keys: the vocabulary shared by the planner, apply and the CLI.
import type { NodeKind } from '../model/index.js';

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

export interface ParsedAddress {
  kind: NodeKind;
  name: string;
  /** For a machine address: the machine itself. */
  machine: string;
  /** Set for extra instances of one object (duplicates found on a machine): `container.web[m1]#<id>`. */
  instance?: string;
}

// The name may contain dots, slashes and colons (image refs), so anchor on the kind and the trailing [MACHINE].
const OBJECT_RE = /^(container|network|volume|image)\.(.+)\[([^[\]]+)\](?:#([0-9A-Za-z_.-]+))?$/;
const MACHINE_RE = /^machine\.([^[\]]+)$/;

export function parseAddress(address: string): ParsedAddress | null {
  const m = MACHINE_RE.exec(address);
  if (m) return { kind: 'machine', name: m[1], machine: m[1] };
  const o = OBJECT_RE.exec(address);
  if (!o) return null;
  const parsed: ParsedAddress = { kind: o[1] as ObjectNodeKind, name: o[2], machine: o[3] };
  if (o[4] !== undefined) parsed.instance = o[4];
  return parsed;
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
