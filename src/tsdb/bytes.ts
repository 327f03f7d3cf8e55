// Byte-level helpers for WAL records: varints, doubles (exact bits), strings, and a CRC32 that
// can continue over several buffers.
import * as zlib from 'node:zlib';

const table = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

// zlib.crc32 (Node >= 20.15) takes the running value; the table keeps older 20.x working.
const zcrc = (zlib as { crc32?: (d: Uint8Array, init?: number) => number }).crc32;
export function crc32(b: Uint8Array, init = 0): number {
  if (zcrc) return zcrc(b, init) >>> 0;
  let c = (init ^ 0xffffffff) >>> 0;
  for (let i = 0; i < b.length; i++) c = table[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export class ByteWriter {
  buf: Buffer;
  pos = 0;
  constructor(capacity = 1024) {
    this.buf = Buffer.allocUnsafe(capacity);
  }
  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n + 256));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
  }
  /** Unsigned integer below 2^53. */
  uvarint(v: number): void {
    this.room(8);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }
  varint(v: number): void {
    this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }
  /** The exact 64 bits of a double (NaN payloads, the staleness marker, -0 kept). */
  f64(v: number): void {
    this.room(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }
  str(s: string): void {
    const n = Buffer.byteLength(s);
    this.uvarint(n);
    this.room(n);
    this.buf.write(s, this.pos, n, 'utf8');
    this.pos += n;
  }
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

export class ByteReader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    offset = 0,
    readonly end = buf.length,
  ) {
    this.pos = offset;
  }
  private need(n: number): void {
    if (this.pos + n > this.end) throw new RangeError('record ended early');
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  uvarint(): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
    throw new RangeError('varint too long');
  }
  varint(): number {
    const z = this.uvarint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }
  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }
  str(): string {
    const n = this.uvarint();
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  get done(): boolean {
    return this.pos >= this.end;
  }
}
