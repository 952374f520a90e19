// Gob's number and string encodings, read from a byte range. Running off the end of the bytes received so far
// is an underflow (wait for more); running off the end of a whole message is corrupt data.
import { GobError, GobUnderflow } from './gob-error.js';

export class ByteReader {
  constructor(
    private readonly data: Uint8Array,
    public pos: number,
    private readonly end: number,
    private readonly whole: boolean,
  ) {}

  get remaining(): number {
    return this.end - this.pos;
  }

  readByte(): number {
    if (this.pos >= this.end) throw this.short();
    return this.data[this.pos++];
  }

  take(n: number): Uint8Array {
    if (n > this.remaining) throw this.short();
    const out = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  readUintBig(): bigint {
    const first = this.readByte();
    if (first < 128) return BigInt(first);
    const count = 256 - first;
    if (count > 8) throw new GobError(`invalid unsigned count ${count}`);
    let v = 0n;
    for (const b of this.take(count)) v = (v << 8n) | BigInt(b);
    return v;
  }

  /** A number when it fits exactly, else a bigint. */
  readUint(): number | bigint {
    return narrow(this.readUintBig());
  }

  /** Lengths and counts. Inside a message every counted item takes at least a byte, so more than remain is
   *  corrupt (and never makes the decoder allocate for a length it was merely told). */
  readCount(): number {
    const v = this.readUintBig();
    if (this.whole && v > BigInt(this.remaining)) throw new GobError(`count ${v} exceeds the message`);
    if (v > 1n << 30n) throw new GobError(`count ${v} too large`);
    return Number(v);
  }

  /** A field delta: small, but not a count of anything still to come. */
  readDelta(): number {
    const v = this.readUintBig();
    if (v > 1n << 30n) throw new GobError(`field delta ${v} too large`);
    return Number(v);
  }

  private short(): Error {
    return this.whole ? new GobError('message ends inside a value') : new GobUnderflow();
  }

  readIntBig(): bigint {
    const u = this.readUintBig();
    return u & 1n ? ~(u >> 1n) : u >> 1n;
  }

  readInt(): number | bigint {
    return narrow(this.readIntBig());
  }

  readFloat(): number {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(this.readUintBig());
    return b.readDoubleLE();
  }

  readBool(): boolean {
    const v = this.readUintBig();
    if (v > 1n) throw new GobError(`invalid bool ${v}`);
    return v === 1n;
  }

  readBytes(): Uint8Array {
    return Uint8Array.from(this.take(this.readCount()));
  }

  readString(): string {
    return Buffer.from(this.take(this.readCount())).toString('utf8');
  }
}

function narrow(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
}
