// The name rules of machines.yml (schema/machines.schema.json `$defs`), for every reader that meets names
// outside the config: the state file and saved plans. A machine's name becomes a folder under .mfile/machines.

export const MACHINE_NAME_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const OBJECT_NAME_RE = /^[a-z0-9][a-z0-9_.-]{0,62}$/;

export const MACHINE_NAME_RULE = "lower-case letters, digits and '-' (at most 63, starting with a letter or digit)";
export const OBJECT_NAME_RULE = "lower-case letters, digits, '_', '.' and '-' (at most 63, starting with a letter or digit)";

export function isMachineName(name: unknown): name is string {
  return typeof name === 'string' && MACHINE_NAME_RE.test(name);
}

export function isObjectName(name: unknown): name is string {
  return typeof name === 'string' && OBJECT_NAME_RE.test(name);
}

export type AddressKind = 'machine' | 'container' | 'network' | 'volume' | 'image';

export interface ParsedAddress {
  kind: AddressKind;
  name: string;
  /** For a machine address: the machine itself. */
  machine: string;
  /** Set for extra instances of one object (duplicates found on a machine): `container.web[m1]#<id>`. */
  instance?: string;
}

// The name may contain dots, slashes and colons (image refs), so anchor on the kind and the trailing [MACHINE].
const OBJECT_RE = /^(container|network|volume|image)\.(.+)\[([^[\]]+)\](?:#([0-9A-Za-z_.-]+))?$/;
const MACHINE_RE = /^machine\.([^[\]]+)$/;

/** `machine.NAME`, `KIND.NAME[MACHINE]` or `KIND.NAME[MACHINE]#ID`; null for anything else. */
export function parseAddress(address: string): ParsedAddress | null {
  const m = MACHINE_RE.exec(address);
  if (m) return { kind: 'machine', name: m[1], machine: m[1] };
  const o = OBJECT_RE.exec(address);
  if (!o) return null;
  const parsed: ParsedAddress = { kind: o[1] as AddressKind, name: o[2], machine: o[3] };
  if (o[4] !== undefined) parsed.instance = o[4];
  return parsed;
}
