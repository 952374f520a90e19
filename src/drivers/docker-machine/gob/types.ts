// Type descriptors: what the encoder needs to know about a Go type, and what the decoder rebuilds from the wire.
// Names are the ones Go's encoder puts in its type definitions (e.g. "StringFlag", "map[string]interface {}");
// they travel for the reader's information only, since gob matches struct fields by name, not types by name.

export type GobType =
  | { readonly kind: 'bool' | 'int' | 'uint' | 'float' | 'bytes' | 'string' | 'interface' }
  | GobStructType
  | GobSliceType
  | GobArrayType
  | GobMapType
  | GobOpaqueType;

export interface GobField {
  readonly name: string;
  readonly type: GobType;
}

export interface GobStructType {
  readonly kind: 'struct';
  readonly name: string;
  /** Mutable only while the decoder builds a (possibly recursive) type. */
  readonly fields: GobField[];
}

export interface GobSliceType {
  readonly kind: 'slice';
  readonly name: string;
  readonly elem: GobType;
}

export interface GobArrayType {
  readonly kind: 'array';
  readonly name: string;
  readonly elem: GobType;
  readonly len: number;
}

export interface GobMapType {
  readonly kind: 'map';
  readonly name: string;
  readonly key: GobType;
  readonly elem: GobType;
}

/** A type that encodes itself (GobEncoder, BinaryMarshaler, TextMarshaler): its value travels as bytes. */
export interface GobOpaqueType {
  readonly kind: 'opaque';
  readonly name: string;
  readonly marshaler: 'gob' | 'binary' | 'text';
}

export const gobBool: GobType = { kind: 'bool' };
export const gobInt: GobType = { kind: 'int' };
export const gobUint: GobType = { kind: 'uint' };
export const gobFloat: GobType = { kind: 'float' };
export const gobBytes: GobType = { kind: 'bytes' };
export const gobString: GobType = { kind: 'string' };
export const gobInterface: GobType = { kind: 'interface' };

export function gobStruct(name: string, fields: Record<string, GobType>): GobStructType {
  return { kind: 'struct', name, fields: Object.entries(fields).map(([n, type]) => ({ name: n, type })) };
}

export function gobSlice(name: string, elem: GobType): GobSliceType {
  return { kind: 'slice', name, elem };
}

export function gobMap(name: string, key: GobType, elem: GobType): GobMapType {
  return { kind: 'map', name, key, elem };
}

/** Types every gob stream knows without a definition (Go's bootstrap ids; 7 is complex, not supported). */
export const BUILTIN_TYPES: ReadonlyMap<number, GobType> = new Map<number, GobType>([
  [1, gobBool],
  [2, gobInt],
  [3, gobUint],
  [4, gobFloat],
  [5, gobBytes],
  [6, gobString],
  [8, gobInterface],
]);

/** Go hands out ids above 64 to user types (firstUserId), starting with 65. */
export const FIRST_USER_ID = 65;

export function isBuiltin(type: GobType): boolean {
  return type.kind !== 'struct' && type.kind !== 'slice' && type.kind !== 'array' && type.kind !== 'map' && type.kind !== 'opaque';
}

/** The builtin id of a basic kind (descriptors equal by kind, whichever object the caller holds). */
export function builtinId(type: GobType): number | undefined {
  switch (type.kind) {
    case 'bool': return 1;
    case 'int': return 2;
    case 'uint': return 3;
    case 'float': return 4;
    case 'bytes': return 5;
    case 'string': return 6;
    case 'interface': return 8;
    default: return undefined;
  }
}
