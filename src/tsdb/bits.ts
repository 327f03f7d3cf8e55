// Bit streams for the chunk codecs, most significant bit first. JS bit operators are 32-bit, so
// values wider than 32 bits (up to 2^53, the safe integers) are written as a high and a low part.

const TWO32 = 4294967296;

export class BitWriter {
  private buf: Uint8Array;
  /** Bytes completely written. */
  private pos = 0;
  /** Pending bits (fewer than 8) in the low bits of `cur`. */
  private cur = 0;
  private nbits = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  private room(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + bytes + 64));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Writes the low `n` bits of `v` (0 <= n <= 32, 0 <= v < 2^n). */
  write(v: number, n: number): void {
    if (n === 0) return;
    this.room(5);
    // Up to 7 pending + 32 new bits do not fit a 32-bit int: split wide writes.
    if (n > 24) {
      this.write(Math.floor(v / 65536) & 0xffff, n - 16);
      v &= 0xffff;
      n = 16;
    }
    let cur = (this.cur << n) | (v & ((1 << n) - 1));
    let nb = this.nbits + n;
    while (nb >= 8) {
      nb -= 8;
      this.buf[this.pos++] = (cur >>> nb) & 0xff;
    }
    this.cur = cur & ((1 << nb) - 1);
    this.nbits = nb;
  }

  bit(b: boolean | number): void {
    this.write(b ? 1 : 0, 1);
  }

  /** Writes an unsigned integer below 2^53 in `n` bits (n <= 53). */
  writeWide(v: number, n: number): void {
    if (n <= 32) return this.write(v, n);
    this.write(Math.floor(v / TWO32), n - 32);
    this.write(v % TWO32, 32);
  }

  /** Unsigned integer with its own length: 6 bits of bit length, then the bits. */
  uint(v: number): void {
    const n = bitLength(v);
    this.write(n, 6);
    this.writeWide(v, n);
  }

  /** Signed safe integer, zigzag then uint(). */
  sint(v: number): void {
    this.uint(zigzag(v));
  }

  get bitLength(): number {
    return this.pos * 8 + this.nbits;
  }

  /** The bytes written, the last one padded with zero bits. */
  finish(): Uint8Array {
    if (this.nbits > 0) {
      this.room(1);
      this.buf[this.pos++] = (this.cur << (8 - this.nbits)) & 0xff;
      this.cur = 0;
      this.nbits = 0;
    }
    return this.buf.slice(0, this.pos);
  }
}

/**
 * Reads what BitWriter wrote. The bytes are loaded once into big-endian 32-bit words, so a read
 * of up to 32 bits touches at most two words (decoding is the hot path of every query).
 */
export class BitReader {
  /** Hot decode loops read these directly (see intcodec.ts); words past the end read as 0. */
  readonly words: Uint32Array;
  /** Current word and bit offset in it (0..31). */
  wi = 0;
  bo = 0;
  readonly totalBits: number;

  constructor(buf: Uint8Array, offset = 0, end = buf.length) {
    const len = end - offset;
    this.totalBits = len * 8;
    const nw = (len >>> 2) + 2;
    const words = new Uint32Array(nw);
    const full = len & ~3;
    let i = 0;
    for (; i < full; i += 4) {
      const o = offset + i;
      words[i >>> 2] = ((buf[o]! << 24) | (buf[o + 1]! << 16) | (buf[o + 2]! << 8) | buf[o + 3]!) >>> 0;
    }
    if (i < len) {
      let w = 0;
      for (let k = 0; k < 4; k++) w = (w << 8) | (i + k < len ? buf[offset + i + k]! : 0);
      words[i >>> 2] = w >>> 0;
    }
    this.words = words;
  }

  private check(n: number): void {
    if (this.wi * 32 + this.bo + n > this.totalBits) throw new RangeError('bit stream ended early');
  }

  /** After a loop that read the words directly: fails if it ran past the end. */
  seek(wi: number, bo: number): void {
    this.wi = wi;
    this.bo = bo;
    this.check(0);
  }

  /** Reads `n` bits (0 <= n <= 32) as an unsigned number. */
  read(n: number): number {
    if (n === 0) return 0;
    this.check(n);
    const bo = this.bo;
    const w = this.words;
    const end = bo + n;
    let v: number;
    if (end <= 32) {
      v = ((w[this.wi]! << bo) >>> 0) >>> (32 - n);
      if (end === 32) {
        this.wi++;
        this.bo = 0;
      } else this.bo = end;
    } else {
      const hiBits = 32 - bo;
      const loBits = n - hiBits;
      const hi = bo === 0 ? w[this.wi]! : ((w[this.wi]! << bo) >>> 0) >>> bo;
      const lo = w[this.wi + 1]! >>> (32 - loBits);
      v = hi * 2 ** loBits + lo;
      this.wi++;
      this.bo = loBits;
    }
    return v;
  }

  bit(): number {
    this.check(1);
    const b = (this.words[this.wi]! >>> (31 - this.bo)) & 1;
    if (++this.bo === 32) {
      this.bo = 0;
      this.wi++;
    }
    return b;
  }

  /** Counts 1 bits before the first 0, at most `max` (the terminating 0 is consumed when seen). */
  ones(max: number): number {
    const bo = this.bo;
    const w = this.words;
    const peek = bo === 0 ? w[this.wi]! : ((w[this.wi]! << bo) | (w[this.wi + 1]! >>> (32 - bo))) >>> 0;
    let k = Math.clz32(~peek);
    if (k >= max) k = max;
    const used = k < max ? k + 1 : k;
    this.check(used);
    const nb = bo + used;
    this.wi += nb >>> 5;
    this.bo = nb & 31;
    return k;
  }

  readWide(n: number): number {
    if (n <= 32) return this.read(n);
    const hi = this.read(n - 32);
    return hi * TWO32 + this.read(32);
  }

  uint(): number {
    return this.readWide(this.read(6));
  }

  sint(): number {
    return unzigzag(this.uint());
  }
}

/** Bits needed for a non-negative integer below 2^53 (0 for 0). */
export function bitLength(v: number): number {
  if (v < TWO32) return 32 - Math.clz32(v);
  return 64 - Math.clz32(Math.floor(v / TWO32));
}

/** Signed safe integer to unsigned: 0, -1, 1, -2 ... -> 0, 1, 2, 3 ... */
export function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

export function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}
