// Type definitions on the wire: Go's wireType struct, itself sent in gob with the bootstrap ids 16-23, so both
// ends can describe any user type with it. Here as a GobType, so the codec encodes and decodes it like any value.
import { GobError } from './gob-error.js';
import type { GobType } from './types.js';
import { gobInt, gobSlice, gobString, gobStruct } from './types.js';
import type { GobValue } from './values.js';

const commonType = gobStruct('CommonType', { Name: gobString, Id: gobInt });
const fieldType = gobStruct('fieldType', { Name: gobString, Id: gobInt });
const marshalerType = gobStruct('gobEncoderType', { CommonType: commonType });

export const WIRE_TYPE: GobType = gobStruct('wireType', {
  ArrayT: gobStruct('arrayType', { CommonType: commonType, Elem: gobInt, Len: gobInt }),
  SliceT: gobStruct('sliceType', { CommonType: commonType, Elem: gobInt }),
  StructT: gobStruct('structType', { CommonType: commonType, Field: gobSlice('[]*gob.fieldType', fieldType) }),
  MapT: gobStruct('mapType', { CommonType: commonType, Key: gobInt, Elem: gobInt }),
  GobEncoderT: marshalerType,
  BinaryMarshalerT: marshalerType,
  TextMarshalerT: marshalerType,
});

/** A received definition, with the ids it refers to (resolved to types only when a value needs them). */
export type WireDef =
  | { kind: 'struct'; name: string; fields: { name: string; id: number }[] }
  | { kind: 'slice'; name: string; elem: number }
  | { kind: 'array'; name: string; elem: number; len: number }
  | { kind: 'map'; name: string; key: number; elem: number }
  | { kind: 'opaque'; name: string; marshaler: 'gob' | 'binary' | 'text' };

type Obj = { [field: string]: GobValue };

/** The wireType value that defines `type` under `id`; `idOf` gives the ids of the types it refers to. */
export function toWire(type: GobType, id: number, idOf: (t: GobType) => number): Obj {
  const common = (name: string): Obj => ({ Name: name, Id: id });
  switch (type.kind) {
    case 'struct':
      return { StructT: { CommonType: common(type.name), Field: type.fields.map((f) => ({ Name: f.name, Id: idOf(f.type) })) } };
    case 'slice':
      return { SliceT: { CommonType: common(type.name), Elem: idOf(type.elem) } };
    case 'array':
      return { ArrayT: { CommonType: common(type.name), Elem: idOf(type.elem), Len: type.len } };
    case 'map':
      return { MapT: { CommonType: common(type.name), Key: idOf(type.key), Elem: idOf(type.elem) } };
    case 'opaque': {
      const key = { gob: 'GobEncoderT', binary: 'BinaryMarshalerT', text: 'TextMarshalerT' }[type.marshaler];
      return { [key]: { CommonType: common(type.name) } };
    }
    default:
      throw new GobError(`a ${type.kind} has no type definition`);
  }
}

export function fromWire(wire: GobValue): WireDef {
  const w = wire as { [k: string]: { [k: string]: GobValue } };
  const name = (t: { [k: string]: GobValue }): string => (t.CommonType as Obj).Name as string;
  const num = (v: GobValue): number => {
    if (typeof v !== 'number') throw new GobError(`type id out of range: ${String(v)}`);
    return v;
  };
  const present = (t: { [k: string]: GobValue }): boolean => num((t.CommonType as Obj).Id) !== 0;
  if (present(w.StructT)) {
    const fields = (w.StructT.Field as Obj[]).map((f) => ({ name: f.Name as string, id: num(f.Id) }));
    return { kind: 'struct', name: name(w.StructT), fields };
  }
  if (present(w.SliceT)) return { kind: 'slice', name: name(w.SliceT), elem: num(w.SliceT.Elem) };
  if (present(w.ArrayT)) return { kind: 'array', name: name(w.ArrayT), elem: num(w.ArrayT.Elem), len: num(w.ArrayT.Len) };
  if (present(w.MapT)) return { kind: 'map', name: name(w.MapT), key: num(w.MapT.Key), elem: num(w.MapT.Elem) };
  if (present(w.GobEncoderT)) return { kind: 'opaque', name: name(w.GobEncoderT), marshaler: 'gob' };
  if (present(w.BinaryMarshalerT)) return { kind: 'opaque', name: name(w.BinaryMarshalerT), marshaler: 'binary' };
  if (present(w.TextMarshalerT)) return { kind: 'opaque', name: name(w.TextMarshalerT), marshaler: 'text' };
  throw new GobError('empty type definition');
}
