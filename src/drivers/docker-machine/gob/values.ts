// The JavaScript side of gob values. Decoded: bool -> boolean, ints -> number (bigint beyond 2^53), float ->
// number, string -> string, []byte -> Uint8Array, struct -> null-prototype object with every field (absent ones
// at their zero), slice/array -> array, map -> Map (null when absent: Go's nil map), interface -> GobInterface or null.
import type { GobType } from './types.js';

export type GobValue =
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | GobValue[]
  | Map<GobValue, GobValue>
  | GobInterface
  | null
  | { [field: string]: GobValue };

/** An interface value: the concrete type's registered name (e.g. "*mcnflag.StringFlag"), its type and value. */
export class GobInterface {
  constructor(
    readonly name: string,
    readonly type: GobType,
    readonly value: GobValue,
  ) {}
}

/** Go's zero value. A struct met again inside itself (Go only allows that through a pointer) is nil: null. */
export function zeroValue(type: GobType, within: ReadonlySet<GobType> = new Set()): GobValue {
  switch (type.kind) {
    case 'bool': return false;
    case 'int':
    case 'uint':
    case 'float': return 0;
    case 'string': return '';
    case 'bytes':
    case 'opaque': return new Uint8Array(0);
    case 'interface': return null;
    case 'slice':
    case 'array': return [];
    case 'map': return null; // Go's nil map: left out when encoded, unlike an empty one
    case 'struct': {
      if (within.has(type)) return null;
      const inner = new Set(within).add(type);
      const out: { [field: string]: GobValue } = Object.create(null) as { [field: string]: GobValue };
      for (const f of type.fields) out[f.name] = zeroValue(f.type, inner);
      return out;
    }
  }
}
