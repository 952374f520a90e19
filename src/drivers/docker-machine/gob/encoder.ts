// One direction of a gob stream. Type ids are handed out per encoder (per connection) in the order Go's encoder
// uses (a struct before its fields; a slice, array or map after its elements), and each definition is sent once,
// before the first value that needs it, so a fresh Go encoder and this one write the same bytes.
//
// Where definitions go follows Go's encoder too: an interface value's concrete type is defined in a message that
// carries everything written so far into the enclosing buffer, handed one writer up (Go's decoder, reading in
// stream order, meets the definition just before the id that needs it).
import { ByteWriter } from './byte-writer.js';
import { GobError } from './gob-error.js';
import type { GobField, GobStructType, GobType } from './types.js';
import { builtinId, FIRST_USER_ID } from './types.js';
import { GobInterface } from './values.js';
import { toWire, WIRE_TYPE } from './wire-type.js';

export class GobEncoder {
  private nextId = FIRST_USER_ID;
  private readonly ids = new Map<GobType, number>();
  private readonly sent = new Set<GobType>();
  private writers: ByteWriter[] = [];

  /** The messages that carry `value` (and any type definitions it needs first). */
  encode(type: GobType, value: unknown): Buffer {
    const out = new ByteWriter();
    this.writers = [out];
    const b = new ByteWriter();
    this.sendType(out, b, type);
    b.writeInt(this.idOf(type));
    this.encodeTop(b, type, value, 'value');
    out.writeMessage(b);
    return Buffer.from(out.bytes());
  }

  private idOf(type: GobType): number {
    const builtin = builtinId(type);
    if (builtin !== undefined) return builtin;
    const known = this.ids.get(type);
    if (known !== undefined) return known;
    switch (type.kind) {
      case 'struct': {
        const id = this.nextId++;
        this.ids.set(type, id);
        for (const f of type.fields) this.idOf(f.type);
        return id;
      }
      case 'slice':
      case 'array':
        this.idOf(type.elem);
        break;
      case 'map':
        this.idOf(type.key);
        this.idOf(type.elem);
        break;
      default:
        break;
    }
    const id = this.nextId++;
    this.ids.set(type, id);
    return id;
  }

  /** Defines `type` (then the types it refers to) unless the peer knows it; `b` is the buffer being filled. */
  private sendType(w: ByteWriter, b: ByteWriter, type: GobType): void {
    if (builtinId(type) !== undefined || this.sent.has(type)) return;
    const id = this.idOf(type);
    b.writeInt(-id);
    this.encodeStruct(b, WIRE_TYPE as GobStructType, toWire(type, id, (t) => this.idOf(t)), 'type definition');
    w.writeMessage(b);
    this.sent.add(type);
    switch (type.kind) {
      case 'struct':
        for (const f of type.fields) this.sendType(w, b, f.type);
        break;
      case 'slice':
      case 'array':
        this.sendType(w, b, type.elem);
        break;
      case 'map':
        this.sendType(w, b, type.key);
        this.sendType(w, b, type.elem);
        break;
      default:
        break;
    }
  }

  /** A top-level or interface-held value: a struct as is, anything else as a one-field struct (field delta 0). */
  private encodeTop(b: ByteWriter, type: GobType, value: unknown, path: string): void {
    if (type.kind === 'struct') {
      this.encodeStruct(b, type, value, path);
      return;
    }
    b.writeUint(0);
    this.encodeElem(b, type, value, path);
  }

  /** Fields at their zero value are left out; a field's delta is its index minus the last one sent. */
  private encodeStruct(b: ByteWriter, type: GobStructType, value: unknown, path: string): void {
    const obj = value === undefined || value === null ? {} : value;
    if (typeof obj !== 'object' || Array.isArray(obj) || obj instanceof Map) throw mismatch(path, type, value);
    const record = obj as Record<string, unknown>;
    let last = -1;
    type.fields.forEach((f: GobField, i: number) => {
      const v = Object.hasOwn(record, f.name) ? record[f.name] : undefined;
      if (isOmitted(f.type, v)) return;
      b.writeUint(i - last);
      last = i;
      this.encodeElem(b, f.type, v, `${path}.${f.name}`);
    });
    b.writeUint(0);
  }

  private encodeElem(b: ByteWriter, type: GobType, value: unknown, path: string): void {
    switch (type.kind) {
      case 'bool':
        b.writeBool(expect(value ?? false, 'boolean', path, type) as boolean);
        return;
      case 'int':
        b.writeInt(integer(value ?? 0, path, type));
        return;
      case 'uint':
        b.writeUint(integer(value ?? 0, path, type));
        return;
      case 'float':
        b.writeFloat(expect(value ?? 0, 'number', path, type) as number);
        return;
      case 'string':
        b.writeString(expect(value ?? '', 'string', path, type) as string);
        return;
      case 'bytes':
      case 'opaque':
        b.writeBytes(bytes(value, path, type));
        return;
      case 'slice':
      case 'array': {
        const list = value ?? [];
        if (!Array.isArray(list)) throw mismatch(path, type, value);
        if (type.kind === 'array' && list.length !== type.len) throw mismatch(path, type, value);
        b.writeUint(list.length);
        list.forEach((e: unknown, i: number) => this.encodeElem(b, type.elem, e, `${path}[${i}]`));
        return;
      }
      case 'map': {
        const entries = mapEntries(value, path, type);
        b.writeUint(entries.length);
        for (const [k, v] of entries) {
          this.encodeElem(b, type.key, k, `${path} key`);
          this.encodeElem(b, type.elem, v, `${path}[${String(k)}]`);
        }
        return;
      }
      case 'struct':
        this.encodeStruct(b, type, value, path);
        return;
      case 'interface':
        this.encodeInterface(b, value, path);
        return;
    }
  }

  /** The concrete type's registered name, its id (defined first if new), then its value as a message. */
  private encodeInterface(b: ByteWriter, value: unknown, path: string): void {
    if (value === null || value === undefined) {
      b.writeUint(0);
      return;
    }
    if (!(value instanceof GobInterface)) throw new GobError(`${path}: an interface value needs a GobInterface (name, type, value)`);
    if (value.name === '') throw new GobError(`${path}: an interface value needs its concrete type's registered name`);
    b.writeString(value.name);
    this.sendType(this.writers[this.writers.length - 1], b, value.type);
    b.writeInt(this.idOf(value.type));
    this.writers.push(b);
    const data = new ByteWriter();
    this.encodeTop(data, value.type, value.value, `${path}(${value.name})`);
    this.writers.pop();
    b.writeMessage(data);
  }
}

/** Go leaves out a struct field that is zero; maps and pointers only when nil (an empty map is sent). */
function isOmitted(type: GobType, v: unknown): boolean {
  if (v === undefined || v === null) return true;
  switch (type.kind) {
    case 'bool': return v === false;
    case 'int':
    case 'uint':
    case 'float': return v === 0 || v === 0n;
    case 'string': return v === '';
    case 'bytes':
    case 'slice': return (v as { length?: number }).length === 0;
    default: return false;
  }
}

function integer(v: unknown, path: string, type: GobType): number | bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  throw mismatch(path, type, v);
}

function expect(v: unknown, js: 'boolean' | 'number' | 'string', path: string, type: GobType): unknown {
  if (typeof v !== js) throw mismatch(path, type, v);
  return v;
}

function bytes(v: unknown, path: string, type: GobType): Uint8Array {
  if (v === undefined || v === null) return new Uint8Array(0);
  if (v instanceof Uint8Array) return v;
  throw mismatch(path, type, v);
}

function mapEntries(v: unknown, path: string, type: GobType): [unknown, unknown][] {
  if (v === undefined || v === null) return [];
  if (v instanceof Map) return [...(v as Map<unknown, unknown>)];
  if (typeof v === 'object' && !Array.isArray(v)) return Object.entries(v as Record<string, unknown>);
  throw mismatch(path, type, v);
}

function mismatch(path: string, type: GobType, v: unknown): GobError {
  const what = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
  return new GobError(`${path}: a ${type.kind} cannot hold ${what}`);
}
