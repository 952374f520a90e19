// Address builders: `machine.NAME` and `KIND.NAME[MACHINE]` (parseAddress, the reader, is in names.ts).
import type { NodeKind, SwarmNodeKind } from './plan.js';

export type ObjectNodeKind = Exclude<NodeKind, 'machine' | SwarmNodeKind>;

export function machineAddress(name: string): string {
  return `machine.${name}`;
}

export function objectAddress(kind: ObjectNodeKind, name: string, machine: string): string {
  return `${kind}.${name}[${machine}]`;
}
