// Protobuf wire writer. Sub-messages are written in place with a one-byte length slot that is
// widened afterwards (rarely: most messages are < 128 bytes), so there is no sizing pass.

const F64 = new Float64Array(1);
const F64B = new Uint8Array(F64.buffer);

/** `buf` doubled until `n` more bytes fit after `used`, with the used bytes copied (growing writers share it). */
export function grow(buf: Buffer, used: number, n: number): Buffer {
  let size = buf.length * 2;
  while (size < used + n) size *= 2;
  const nb = Buffer.allocUnsafe(size);
  buf.copy(nb, 0, 0, used);
  return nb;
}

/** Bytes of a varint holding the non-negative integer `n` (for sizing passes). */
export function varintLen(n: number): number {
  let len = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

export class PbWriter {
  buf: Buffer;
  pos = 0;
  private lastBig = 0n;
  private lastLo = 0;
  private lastHi = 0;

  constructor(initial = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  reset(): void {
    this.pos = 0;
  }

  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.buf = grow(this.buf, this.pos, n);
  }

  /** A copy of what was written. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.pos);
    out.set(this.buf.subarray(0, this.pos));
    return out;
  }

  varint(v: number): void {
    this.ensure(10);
    const b = this.buf;
    if (v >= 0 && v < 0x80000000) {
      while (v > 127) {
        b[this.pos++] = (v & 127) | 128;
        v >>>= 7;
      }
      b[this.pos++] = v;
      return;
    }
    if (v >= 0 && v <= Number.MAX_SAFE_INTEGER && Number.isInteger(v)) {
      // Millisecond timestamps and large counts: no BigInt on the way.
      while (v > 127) {
        b[this.pos++] = (v % 128) | 128;
        v = Math.floor(v / 128);
      }
      b[this.pos++] = v;
      return;
    }
    this.varint64(BigInt.asUintN(64, BigInt(Math.trunc(v))));
  }

  varint64(v: bigint): void {
    this.ensure(10);
    let lo = Number(v & 0xffffffffn);
    let hi = Number((v >> 32n) & 0xffffffffn);
    const b = this.buf;
    while (hi > 0 || lo > 127) {
      b[this.pos++] = (lo & 127) | 128;
      lo = ((lo >>> 7) | ((hi & 127) << 25)) >>> 0;
      hi >>>= 7;
    }
    b[this.pos++] = lo;
  }

  tag(field: number, wire: number): void {
    const t = (field << 3) | wire;
    if (t < 128) {
      this.ensure(1);
      this.buf[this.pos++] = t;
    } else this.varint(t);
  }

  fixed64(v: bigint): void {
    this.ensure(8);
    // Timestamps repeat within a batch: reuse the halves of the last value.
    if (v !== this.lastBig) {
      const u = BigInt.asUintN(64, v);
      this.lastBig = v;
      this.lastLo = Number(u & 0xffffffffn);
      this.lastHi = Number(u >> 32n);
    }
    this.buf.writeUInt32LE(this.lastLo, this.pos);
    this.buf.writeUInt32LE(this.lastHi, this.pos + 4);
    this.pos += 8;
  }

  /** A non-negative integer (count) as fixed64 without BigInt. */
  fixed64n(v: number): void {
    this.ensure(8);
    const lo = v % 4294967296;
    this.buf.writeUInt32LE(lo >>> 0, this.pos);
    this.buf.writeUInt32LE(Math.floor(v / 4294967296) >>> 0, this.pos + 4);
    this.pos += 8;
  }

  fixed32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  double(v: number): void {
    this.ensure(8);
    F64[0] = v;
    const b = this.buf;
    const p = this.pos;
    b[p] = F64B[0]!; b[p + 1] = F64B[1]!; b[p + 2] = F64B[2]!; b[p + 3] = F64B[3]!;
    b[p + 4] = F64B[4]!; b[p + 5] = F64B[5]!; b[p + 6] = F64B[6]!; b[p + 7] = F64B[7]!;
    this.pos += 8;
  }

  string(field: number, s: string): void {
    this.tag(field, 2);
    const n = s.length;
    if (n < 43) {
      // At most 126 bytes of UTF-8: the length fits one byte and is back-filled.
      this.ensure(1 + n * 3);
      const b = this.buf;
      const lenAt = this.pos++;
      let p = this.pos;
      for (let i = 0; i < n; i++) {
        let c = s.charCodeAt(i);
        if (c < 0x80) b[p++] = c;
        else if (c < 0x800) {
          b[p++] = 0xc0 | (c >> 6);
          b[p++] = 0x80 | (c & 63);
        } else {
          if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
            const d = s.charCodeAt(i + 1);
            if (d >= 0xdc00 && d < 0xe000) {
              c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
              i++;
              b[p++] = 0xf0 | (c >> 18);
              b[p++] = 0x80 | ((c >> 12) & 63);
              b[p++] = 0x80 | ((c >> 6) & 63);
              b[p++] = 0x80 | (c & 63);
              continue;
            }
          }
          if (c >= 0xd800 && c < 0xe000) c = 0xfffd; // lone surrogate: same as Buffer.write
          b[p++] = 0xe0 | (c >> 12);
          b[p++] = 0x80 | ((c >> 6) & 63);
          b[p++] = 0x80 | (c & 63);
        }
      }
      b[lenAt] = p - this.pos;
      this.pos = p;
      return;
    }
    if (n < 5462) {
      // At most 16383 bytes: write in place behind a slot sized for the all-ASCII case and
      // widen it only if the text was not ASCII (no separate byteLength pass).
      const slot = n < 128 ? 1 : 2;
      this.ensure(slot + n * 3);
      const at = this.pos;
      this.pos += slot;
      this.pos += this.buf.write(s, this.pos, 'utf8');
      this.closeSized(at, slot);
      return;
    }
    const len = Buffer.byteLength(s);
    this.varint(len);
    this.ensure(len);
    this.buf.write(s, this.pos, len, 'utf8');
    this.pos += len;
  }

  /** A string field whose UTF-8 length `n` the caller has already measured (sizing passes). */
  stringLen(field: number, s: string, n: number): void {
    this.tag(field, 2);
    this.varint(n);
    this.ensure(n);
    if (n === s.length && n < 64) {
      // ASCII (UTF-8 length equals UTF-16 length): a JS loop beats the native call for short strings.
      const b = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
      this.pos = p;
    } else this.pos += this.buf.write(s, this.pos, n, 'utf8');
  }

  /** Bytes already encoded (a message written elsewhere), copied as they are. */
  raw(v: Uint8Array): void {
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  bytes(field: number, v: Uint8Array): void {
    this.tag(field, 2);
    this.varint(v.length);
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  /** Open a length-delimited field; pass the result to `close`. */
  open(field: number): number {
    this.tag(field, 2);
    this.ensure(1);
    return this.pos++;
  }

  /**
   * Open a length-delimited field with a `slot`-byte length gap, for messages whose size is
   * foreseeable (2: 128 B..16 KiB, 3: up to 2 MiB); close with `closeSized(at, slot)`.
   */
  openSized(field: number, slot: number): number {
    this.tag(field, 2);
    this.ensure(slot);
    const at = this.pos;
    this.pos += slot;
    return at;
  }

  /** Writes the length of what follows a `slot`-byte gap at `lenAt`, moving it if the varint needs another size. */
  closeSized(lenAt: number, slot: number): void {
    const len = this.pos - lenAt - slot;
    let need = 1;
    for (let v = len >>> 7; v > 0; v >>>= 7) need++;
    if (need !== slot) {
      this.ensure(need - slot);
      this.buf.copy(this.buf, lenAt + need, lenAt + slot, this.pos);
      this.pos += need - slot;
    }
    let p = lenAt;
    let v = len;
    while (v > 127) {
      this.buf[p++] = (v & 127) | 128;
      v >>>= 7;
    }
    this.buf[p] = v;
  }

  close(lenAt: number): void {
    const len = this.pos - lenAt - 1;
    if (len < 128) this.buf[lenAt] = len;
    else this.closeSized(lenAt, 1);
  }
}
