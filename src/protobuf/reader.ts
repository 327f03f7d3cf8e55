// Protobuf wire reader with bounds checks on every read: hostile input raises DecodeError.
import { DecodeCostError, DecodeError } from './errors.js';

/** Estimated heap bytes of one decoded message (object header, fields, array slot), measured in bench/otlp/cost.ts. */
export const MSG_COST = 160;
/** One attribute: a property, its key string and value. */
export const KV_COST = 64;

export class PbReader {
  readonly view: DataView;
  /** Plain Uint8Array view (slices copy), and a Buffer view for UTF-8 decoding without allocation. */
  readonly buf: Uint8Array;
  private readonly nb: Buffer;
  pos: number;
  /**
   * Estimated bytes of memory the decoded objects take so far, and the most allowed: hostile
   * input (millions of empty messages in a few MiB) is refused before it is allocated.
   */
  cost: number;
  maxCost = Infinity;

  constructor(
    input: Uint8Array,
    start = 0,
    public end = input.length,
  ) {
    this.buf = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    this.nb = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    this.view = new DataView(input.buffer, input.byteOffset, input.byteLength);
    this.pos = start;
    // Strings and byte fields are copies of at most the input's bytes.
    this.cost = input.byteLength - start;
  }

  /** Account for `n` more bytes of decoded objects; throws past maxCost. */
  charge(n: number): void {
    this.cost += n;
    if (this.cost > this.maxCost) throw new DecodeCostError(this.cost, this.maxCost);
  }

  fail(msg: string): never {
    throw new DecodeError(`invalid protobuf at byte ${this.pos}: ${msg}`);
  }

  /** A varint as a JS number (exact up to 2^53; larger uint64 counters lose precision). */
  varint(): number {
    const b = this.buf;
    let p = this.pos;
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (p >= this.end) this.fail('truncated varint');
      const c = b[p++]!;
      if (shift < 28) result |= (c & 127) << shift;
      else result += (c & 127) * 2 ** shift;
      if (c < 128) {
        this.pos = p;
        return shift < 28 ? result >>> 0 : result;
      }
      shift += 7;
    }
    this.fail('varint longer than 10 bytes');
  }

  /** uint32 / enum / int32 fields: the low 32 bits, as protobuf does. */
  varint32(): number {
    const b = this.buf;
    const p = this.pos;
    if (p < this.end && b[p]! < 128) {
      this.pos = p + 1;
      return b[p]!;
    }
    const v = this.varint64();
    return Number(BigInt.asIntN(32, v));
  }

  /** A full 64-bit varint as unsigned bigint. */
  varint64(): bigint {
    const b = this.buf;
    let p = this.pos;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (p >= this.end) this.fail('truncated varint');
      const c = b[p++]!;
      if (i < 4) lo |= (c & 127) << (7 * i);
      else if (i === 4) {
        lo |= (c & 15) << 28;
        hi |= (c & 127) >> 4;
      } else hi |= (c & 127) << (7 * i - 32);
      if (c < 128) {
        this.pos = p;
        return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
      }
    }
    this.fail('varint longer than 10 bytes');
  }

  int64(): bigint {
    const b = this.buf;
    const p = this.pos;
    if (p < this.end && b[p]! < 128) {
      this.pos = p + 1;
      return BigInt(b[p]!);
    }
    return BigInt.asIntN(64, this.varint64());
  }

  sint32(): number {
    const v = this.varint() >>> 0;
    return (v >>> 1) ^ -(v & 1);
  }

  private need(n: number): void {
    if (this.pos + n > this.end) this.fail(`need ${n} bytes, ${this.end - this.pos} left`);
  }

  fixed64(): bigint {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  sfixed64(): bigint {
    this.need(8);
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** fixed64 counter as a number. */
  fixed64n(): number {
    this.need(8);
    const v = this.view.getUint32(this.pos, true) + this.view.getUint32(this.pos + 4, true) * 4294967296;
    this.pos += 8;
    return v;
  }

  fixed32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  double(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Length of a length-delimited field; checks it fits. Returns the end offset. */
  lenEnd(): number {
    const len = this.varint();
    if (len > this.end - this.pos) this.fail(`length ${len} exceeds the ${this.end - this.pos} bytes left`);
    return this.pos + len;
  }

  string(): string {
    const e = this.lenEnd();
    const s = this.pos;
    this.pos = e;
    if (e - s < 16) {
      // Short ASCII strings are cheaper to build by hand than through the UTF-8 decoder.
      let out = '';
      for (let i = s; i < e; i++) {
        const c = this.buf[i]!;
        if (c >= 128) return this.nb.toString('utf8', s, e);
        out += String.fromCharCode(c);
      }
      return out;
    }
    return this.nb.toString('utf8', s, e);
  }

  bytes(): Uint8Array {
    const e = this.lenEnd();
    // A copy (a plain Uint8Array even when the input is a Buffer) so the body can be freed.
    const out = this.buf.slice(this.pos, e);
    this.pos = e;
    return out;
  }

  /** A trace id (16 bytes) or span id (8 bytes); empty means unset, any other length is invalid. */
  id(bytes: 8 | 16, field: string): Uint8Array {
    const b = this.bytes();
    if (b.length !== 0 && b.length !== bytes) this.fail(`${field} must be ${bytes} bytes, got ${b.length}`);
    return b;
  }

  /** Skip a field of an unknown number. */
  skip(wire: number): void {
    switch (wire) {
      case 0:
        this.varint64();
        return;
      case 1:
        this.need(8);
        this.pos += 8;
        return;
      case 2:
        this.pos = this.lenEnd();
        return;
      case 5:
        this.need(4);
        this.pos += 4;
        return;
      default:
        this.fail(`unsupported wire type ${wire}`);
    }
  }
}

/** Decode the length-delimited message at r.pos with `fn`, confined to its bytes. */
export function sub<T>(r: PbReader, fn: (r: PbReader) => T): T {
  const e = r.lenEnd();
  r.charge(MSG_COST);
  const saved = r.end;
  r.end = e;
  const v = fn(r);
  r.end = saved;
  return v;
}

export function wrongWire(r: PbReader, field: number, wire: number): never {
  r.fail(`field ${field} has wire type ${wire}`);
}
