// Gob's number and string encodings, appended to a growable buffer.
import { GobError } from './gob-error.js';

const MAX_U64 = (1n << 64n) - 1n;

export class ByteWriter {
  private buf: Buffer = Buffer.alloc(64);
  private len = 0;

  get length(): number {
    return this.len;
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  reset(): void {
    this.len = 0;
  }

  append(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  /** Below 128: one byte. Otherwise the negated byte count, then the big-endian bytes without leading zeros. */
  writeUint(value: number | bigint): void {
    const v = BigInt(value);
    if (v < 0n || v > MAX_U64) throw new GobError(`unsigned value out of range: ${v}`);
    if (v < 128n) {
      this.writeByte(Number(v));
      return;
    }
    const hex = v.toString(16);
    const digits = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
    this.writeByte(256 - digits.length);
    this.append(digits);
  }

  /** Zig-zag: the sign in the low bit, the magnitude (complemented when negative) above it. */
  writeInt(value: number | bigint): void {
    const v = BigInt(value);
    if (v < -(1n << 63n) || v >= 1n << 63n) throw new GobError(`signed value out of range: ${v}`);
    this.writeUint(v < 0n ? ((~v) << 1n) | 1n : v << 1n);
  }

  /** The float64's bits, byte-reversed so the exponent lands in the low bytes and small values stay short. */
  writeFloat(value: number): void {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    this.writeUint(b.readBigUInt64BE());
  }

  writeBool(value: boolean): void {
    this.writeUint(value ? 1 : 0);
  }

  writeBytes(value: Uint8Array): void {
    this.writeUint(value.length);
    this.append(value);
  }

  writeString(value: string): void {
    this.writeBytes(Buffer.from(value, 'utf8'));
  }

  /** A length-prefixed message: what a Go encoder writes for each top-level item and each interface value. */
  writeMessage(body: ByteWriter): void {
    this.writeUint(body.length);
    this.append(body.bytes());
    body.reset();
  }

  private writeByte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
}
