// The other direction of a gob stream: bytes in as they arrive, whole values out. Type definitions are kept per
// decoder (per connection) by the peer's ids; values are decoded by the types those definitions describe, so no
// Go type needs declaring here. A value cut off by the end of the bytes so far is retried when more arrive.
import { ByteReader } from './byte-reader.js';
import { GobError, GobUnderflow } from './gob-error.js';
import type { GobStructType, GobType } from './types.js';
import { BUILTIN_TYPES } from './types.js';
import type { GobValue } from './values.js';
import { GobInterface, zeroValue } from './values.js';
import type { WireDef } from './wire-type.js';
import { fromWire, WIRE_TYPE } from './wire-type.js';

/** Go's decoder refuses messages of 1 GiB; a driver plugin has no reason to send more than this. */
const MAX_MESSAGE = 64 * 1024 * 1024;

export interface Decoded {
  type: GobType;
  value: GobValue;
}

export class GobDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private readonly defs = new Map<number, WireDef>();
  private resolved = new Map<number, GobType>();
  private added: number[] = [];
  /** How many bytes the last attempt found missing: no new attempt until at least that many are here. */
  private need = 0;
  private readonly resolving = new Set<number>();
  private stream = new ByteReader(this.pending, 0, 0, false);
  private buf = new ByteReader(this.pending, 0, 0, true);

  push(chunk: Uint8Array): void {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
  }

  /** Bytes received but not yet part of a decoded value. */
  get buffered(): number {
    return this.pending.length;
  }

  /** The next whole value, or undefined when the bytes so far end before one does. */
  next(): Decoded | undefined {
    if (this.pending.length < this.need) return undefined;
    this.stream = new ByteReader(this.pending, 0, this.pending.length, false);
    this.buf = new ByteReader(this.pending, 0, 0, true);
    this.added = [];
    try {
      const id = this.typeSequence(false);
      const type = this.resolve(id);
      const value = this.valueOf(type);
      if (this.buf.remaining > 0) throw new GobError(`${this.buf.remaining} bytes left over after a value`);
      this.pending = this.pending.subarray(this.stream.pos);
      this.need = 0;
      return { type, value };
    } catch (err) {
      if (!(err instanceof GobUnderflow)) throw err;
      for (const id of this.added) this.defs.delete(id);
      this.resolved = new Map();
      this.resolving.clear();
      return undefined;
    }
  }

  /** Type definitions until a value's id; in an interface they may share a message with what surrounds them. */
  private typeSequence(inInterface: boolean): number {
    for (;;) {
      if (this.buf.remaining === 0) this.nextMessage();
      const id = this.buf.readIntBig();
      if (id >= 0n) {
        if (id > 1n << 31n) throw new GobError(`type id ${id} out of range`);
        return Number(id);
      }
      this.define(Number(-id));
      if (this.buf.remaining > 0) {
        if (!inInterface) throw new GobError('extra data after a type definition');
        this.buf.readCount();
      }
    }
  }

  private nextMessage(): void {
    const n = this.stream.readCount();
    if (n === 0 || n > MAX_MESSAGE) throw new GobError(`invalid message length ${n}`);
    const start = this.stream.pos;
    this.need = start + n;
    this.stream.take(n);
    this.buf = new ByteReader(this.pending, start, start + n, true);
  }

  private define(id: number): void {
    if (id < 65 || this.defs.has(id)) throw new GobError(`type id ${id} defined twice or reserved`);
    const wire = this.struct(WIRE_TYPE as GobStructType);
    this.defs.set(id, fromWire(wire));
    this.added.push(id);
  }

  private resolve(id: number): GobType {
    const builtin = BUILTIN_TYPES.get(id);
    if (builtin) return builtin;
    const known = this.resolved.get(id);
    if (known) return known;
    const def = this.defs.get(id);
    if (!def) throw new GobError(`unknown type id ${id}`);
    // Only a struct may contain itself (through a pointer); a slice or map of itself has no end.
    if (this.resolving.has(id)) throw new GobError(`type ${id} contains itself`);
    this.resolving.add(id);
    try {
      return this.build(id, def);
    } finally {
      this.resolving.delete(id);
    }
  }

  private build(id: number, def: WireDef): GobType {
    let type: GobType;
    switch (def.kind) {
      case 'struct': {
        const st: GobStructType = { kind: 'struct', name: def.name, fields: [] };
        this.resolved.set(id, st); // before its fields, which may lead back to it
        for (const f of def.fields) st.fields.push({ name: f.name, type: this.resolve(f.id) });
        return st;
      }
      case 'slice':
        type = { kind: 'slice', name: def.name, elem: this.resolve(def.elem) };
        break;
      case 'array':
        type = { kind: 'array', name: def.name, elem: this.resolve(def.elem), len: def.len };
        break;
      case 'map':
        type = { kind: 'map', name: def.name, key: this.resolve(def.key), elem: this.resolve(def.elem) };
        break;
      case 'opaque':
        type = def;
        break;
    }
    this.resolved.set(id, type);
    return type;
  }

  /** A top-level or interface-held value: a struct, or a one-field struct whose field delta is 0. */
  private valueOf(type: GobType): GobValue {
    if (type.kind === 'struct') return this.struct(type);
    const delta = this.buf.readDelta();
    if (delta !== 0) throw new GobError(`non-zero delta ${delta} before a single value`);
    return this.elem(type);
  }

  private struct(type: GobStructType): { [field: string]: GobValue } {
    const out = zeroValue(type) as { [field: string]: GobValue };
    let field = -1;
    for (;;) {
      const delta = this.buf.readDelta();
      if (delta === 0) return out;
      field += delta;
      const f = type.fields[field];
      if (!f) throw new GobError(`field ${field} of ${type.name || 'a struct'} does not exist`);
      out[f.name] = this.elem(f.type);
    }
  }

  private elem(type: GobType): GobValue {
    switch (type.kind) {
      case 'bool': return this.buf.readBool();
      case 'int': return this.buf.readInt();
      case 'uint': return this.buf.readUint();
      case 'float': return this.buf.readFloat();
      case 'string': return this.buf.readString();
      case 'bytes':
      case 'opaque': return this.buf.readBytes();
      case 'slice':
      case 'array': {
        const n = this.buf.readCount();
        if (type.kind === 'array' && n !== type.len) throw new GobError(`array of ${type.len} sent with ${n} elements`);
        const out: GobValue[] = [];
        for (let i = 0; i < n; i++) out.push(this.elem(type.elem));
        return out;
      }
      case 'map': {
        const n = this.buf.readCount();
        const out = new Map<GobValue, GobValue>();
        for (let i = 0; i < n; i++) {
          const k = this.elem(type.key);
          out.set(k, this.elem(type.elem));
        }
        return out;
      }
      case 'struct': return this.struct(type);
      case 'interface': return this.iface();
    }
  }

  private iface(): GobInterface | null {
    const name = this.buf.readString();
    if (name === '') return null;
    const id = this.typeSequence(true);
    this.buf.readCount(); // the value's byte count: there for skipping, not needed here
    const type = this.resolve(id);
    return new GobInterface(name, type, this.valueOf(type));
  }
}
